import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../errors/area-errors.js';
import type { RunRecord } from '../model/run.js';
import { RunnerRegistry } from '../registry/registries.js';
import { engineFixture, shellTool, type EngineFixture } from './test-support/engine-fixture.js';

let f: EngineFixture;
beforeEach(async () => {
  f = await engineFixture();
  for (const [p, n] of [
    ['p1', '001'],
    ['p1', '002'],
    ['p2', '001'],
    ['p2', '002'],
  ] as const)
    await f.addItem(`${p}_${n}.csv`, `${p} ${n}\n`, { Population: p, number: n });
});
afterEach(() => f.cleanup());

const waitFor = async (check: () => Promise<boolean> | boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
};
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('RunEngine: parallel jobs and cancellation', () => {
  it('runs up to `jobs` jobs at once (intervals written by the tool overlap)', async () => {
    // Each job records when it started and ended (ns); with 2 workers the first two intervals overlap.
    const tool = f.tool(shellTool('test.span', 's=$(date +%s%N); sleep 0.3; e=$(date +%s%N); echo "$s $e" > "$2"'));
    await f.engine.run(f.store, { tool, inputs: [{ name: 'i', query: 'Population=p1' }], outputDataset: 'span', jobs: 2 });
    const spans = await Promise.all(
      (await f.store.items('span')).map(async (i) => (await readFile(fileURLToPath(i.dataUri), 'utf8')).trim().split(' ').map(BigInt)),
    );
    const [a, b] = spans as [bigint[], bigint[]];
    expect(a[0]! < b[1]! && b[0]! < a[1]!).toBe(true);
  });

  it('cancels on abort: running jobs killed, no new job started, nothing partial committed, earlier successes kept', async () => {
    const engine = (await engineFixture({ batch: { maxJobs: 50, maxDelayMs: 60_000 } })).engine;
    const pids = join(f.root, 'pids');
    // p1_001 finishes at once; later jobs write a partial output, their pid, then sleep.
    const script = 'case "$1" in *p1_001*) cp "$1" "$2"; exit 0;; esac; echo partial > "$2"; echo $$ > "$3/$$"; exec sleep 30';
    const tool = f.tool({ ...shellTool('test.slow', script), command: { argv: ['sh', '-c', script, 'sh', '{inputs.i}', '{outputs.o}', pids] } });
    await mkdir(pids);
    const controller = new AbortController();
    const running = engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'slow', jobs: 2, signal: controller.signal });
    await waitFor(async () => (await readdir(pids)).length === 2);
    const started = (await readdir(pids)).map(Number);
    controller.abort();
    const { record } = await running;
    expect(record.status).toBe('cancelled');
    expect(record.jobs.map((j) => j.status)).toEqual(['succeeded', 'cancelled', 'cancelled', 'cancelled']);
    // Two of the three later jobs were running (killed); which one had not started depends on
    // which worker prepared its next job first.
    expect(record.jobs.filter((j) => j.error === 'run cancelled before the job started')).toHaveLength(1);
    expect(record.jobs.filter((j) => /^job '.+' was cancelled/.test(j.error ?? ''))).toHaveLength(2);
    expect(started.filter(alive)).toEqual([]);
    expect((await f.store.items('slow')).map((i) => i.name)).toEqual(['o_p1_001.txt']);
    expect(f.store.saveRunCalls.at(-1)?.status).toBe('cancelled');
  });
});

describe('RunEngine: resume', () => {
  it('continues the unfinished run: same id, committed jobs kept and never committed again, the rest run', async () => {
    const counter = join(f.root, 'counter');
    const gate = join(f.root, 'gate');
    // While the gate file exists, p2 items fail, so the first attempt commits only p1's jobs.
    const script = 'echo "$1" >> "$3"; case "$1" in *p2_*) [ -e "$4" ] && exit 9;; esac; cp "$1" "$2"';
    const tool = f.tool({ ...shellTool('test.gated', script), command: { argv: ['sh', '-c', script, 'sh', '{inputs.i}', '{outputs.o}', counter, gate] } });
    await writeFile(gate, '');
    // The first attempt "crashes" before it can write its final record, leaving it `running`.
    const saveRun = f.store.saveRun.bind(f.store);
    f.store.saveRun = async (run: RunRecord) => {
      if (run.status !== 'running') throw new StorageError('IO', 'process killed (simulated)');
      return saveRun(run);
    };
    await expect(f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'gated', jobs: 2 })).rejects.toThrow('simulated');
    f.store.saveRun = saveRun;
    const [crashed] = await f.store.listRuns('gated');
    expect(crashed?.status).toBe('running');
    expect((await f.store.items('gated')).length).toBe(2);
    await rm(gate);
    const { record, resumed } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'gated', jobs: 2, resume: true, cache: false });
    expect(resumed).toBe(true);
    expect(record.id).toBe(crashed?.id);
    expect(record.status).toBe('succeeded');
    expect(record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const ran = (await readFile(counter, 'utf8')).trim().split('\n');
    expect(ran.filter((l) => l.includes('p1_'))).toHaveLength(2);
    expect(ran.filter((l) => l.includes('p2_'))).toHaveLength(4);
    const items = await f.store.items('gated');
    expect(items.map((i) => i.name).sort()).toEqual(['o_p1_001.txt', 'o_p1_002.txt', 'o_p2_001.txt', 'o_p2_002.txt']);
    expect(new Set(items.map((i) => (i.origin.type === 'processed' ? i.origin.job?.cacheKey : ''))).size).toBe(4);
  });

  it('starts a new run when there is nothing to resume', async () => {
    const tool = f.tool(shellTool('test.cp', 'cp "$1" "$2"'));
    const { resumed, record } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'cp', resume: true });
    expect(resumed).toBe(false);
    expect(record.status).toBe('succeeded');
  });
});

describe('RunEngine: pairing and groups', () => {
  it('pairs two inputs by tag keys, reports the unmatched, and names outputs after the first input', async () => {
    await f.engine.run(f.store, {
      tool: f.tool(shellTool('test.mask', 'echo mask > "$2"')),
      inputs: [{ name: 'i', query: 'number=002' }],
      outputDataset: 'masks',
    });
    const tool = f.tool({
      id: 'test.apply',
      inputs: [
        { name: 'image', type: 'data' },
        { name: 'mask', type: 'data' },
      ],
      outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
      command: { argv: ['sh', '-c', 'cat "$1" "$2" > "$3"', 'sh', '{inputs.image}', '{inputs.mask}', '{outputs.o}'] },
    });
    const { record, unmatched } = await f.engine.run(f.store, {
      tool,
      inputs: [{ name: 'image' }, { name: 'mask', dataset: 'masks' }],
      matchBy: ['Population', 'number'],
      outputDataset: 'applied',
    });
    const items = await f.store.items('applied');
    expect(items.map((i) => i.name)).toEqual(['o_p1_002.txt', 'o_p2_002.txt']);
    expect(await readFile(fileURLToPath(items[1]?.dataUri as string), 'utf8')).toBe('p2 002\nmask\n');
    expect(unmatched.map((u) => [u.input, u.name])).toEqual([
      ['image', 'p1_001.csv'],
      ['image', 'p2_001.csv'],
    ]);
    expect(record.matchBy).toEqual(['Population', 'number']);
    expect(items[0]?.origin.type === 'processed' && items[0].origin.inputs.map((i) => i.name)).toEqual(['image', 'mask']);
    expect(items.map((i) => i.tags)).toEqual([
      { Population: 'p1', number: '002' },
      { Population: 'p2', number: '002' },
    ]);
  });

  it('runs one job per group with the group listed in a text file, one path per line', async () => {
    const tool = f.tool({
      id: 'test.reduce',
      type: 'reduce',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [{ name: 'o', format: 'text', extension: 'txt' }],
      command: { argv: ['sh', '-c', 'while read -r p; do cat "$p"; done < "$1" > "$2"', 'sh', '{inputs.i}', '{outputs.o}'] },
    });
    const { record } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], groupBy: ['Population'], outputDataset: 'sums' });
    const items = await f.store.items('sums');
    expect(items.map((i) => i.name)).toEqual(['o_p1.txt', 'o_p2.txt']);
    expect(await readFile(fileURLToPath(items[0]?.dataUri as string), 'utf8')).toBe('p1 001\np1 002\n');
    expect(record.jobs.map((j) => j.inputs['i']?.length)).toEqual([2, 2]);
    expect(items[1]?.origin.type === 'processed' && items[1].origin.inputs).toHaveLength(2);
    expect(items.map((i) => i.tags)).toEqual([{ Population: 'p1' }, { Population: 'p2' }]);
    const whole = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'all' });
    expect(whole.record.jobs).toHaveLength(1);
    expect((await f.store.items('all')).map((i) => [i.name, i.tags])).toEqual([['o_all.txt', {}]]);
    expect(existsSync(join(f.root, '.staging')) ? await readdir(join(f.root, '.staging')) : []).toEqual([]);
  });

  it('runs as many jobs at once as the runner suggests when the run names no number', async () => {
    let inFlight = 0;
    let most = 0;
    const runners = new RunnerRegistry();
    runners.register({
      id: 'queue',
      defaultConcurrency: 3,
      async run() {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 40));
        inFlight--;
        return { exitCode: 0, environment: { runner: 'queue' } };
      },
    });
    const g = await engineFixture({ runners });
    try {
      for (let i = 1; i <= 6; i++) await g.addItem(`p_${i}.csv`, `a\n${i}\n`, { n: String(i) });
      const tool = g.tool({ id: 'test.none', inputs: [{ name: 'i', type: 'data' }], outputs: [], command: { argv: ['true'] } });
      await g.engine.run(g.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'suggested', runner: 'queue' });
      expect(most).toBe(3);
      most = 0;
      await g.engine.run(g.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'named', runner: 'queue', jobs: 1, cache: false });
      expect(most).toBe(1);
    } finally {
      await g.cleanup();
    }
  });
});

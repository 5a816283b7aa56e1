import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HookError, ToolError } from '../errors/area-errors.js';
import { COPY_TOOL, engineFixture, shellTool, type EngineFixture } from './test-support/engine-fixture.js';

let f: EngineFixture;
beforeEach(async () => {
  f = await engineFixture();
  await f.addItem('p1_001.csv', 'a\n1\n', { Population: 'p1', number: '001' });
  await f.addItem('p1_002.csv', 'a\n2\n', { Population: 'p1', number: '002' });
  await f.addItem('p2_001.csv', 'a\n3\n', { Population: 'p2', number: '001' });
});
afterEach(() => f.cleanup());

const counted = (id: string) =>
  shellTool(id, 'echo run >> "$3"; cp "$1" "$2"', {
    inputs: [
      { name: 'i', type: 'data' },
      { name: 'k', type: 'int', default: 1 },
    ],
    command: { argv: ['sh', '-c', 'echo run >> "$3"; cp "$1" "$2"', 'sh', '{inputs.i}', '{outputs.o}', '{env.counter}', '{params.k}'] },
  });
const executions = async () => (await readFile(join(f.root, 'counter'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '').length;

describe('RunEngine: map runs', () => {
  it('maps a tool over the selected items and commits each output with its origin', async () => {
    const tool = f.tool(COPY_TOOL);
    const { record, unmatched } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i', query: 'Population=p1' }], outputDataset: 'copied' });
    expect(record.status).toBe('succeeded');
    expect(unmatched).toEqual([]);
    const items = await f.store.items('copied');
    expect(items.map((i) => i.name)).toEqual(['o_p1_001.txt', 'o_p1_002.txt']);
    expect(await readFile(fileURLToPath(items[0]?.dataUri as string), 'utf8')).toBe('a\n1\n');
    const raw = await f.store.items('data');
    const origin = items[1]?.origin;
    expect(origin).toMatchObject({ type: 'processed', run: { id: record.id }, inputs: [{ name: 'i', id: raw[1]?.id }], output: { name: 'o', label: 'Copy' } });
    expect(origin?.type === 'processed' && origin.job).toEqual({ id: 'job-0002', cacheKey: record.jobs[1]?.cacheKey });
    expect(items[0]?.tags).toEqual({ Population: 'p1', number: '001' });
    expect(record.jobs.map((j) => [j.id, j.status, j.exitCode, j.outputs])).toEqual([
      ['job-0001', 'succeeded', 0, [items[0]?.id]],
      ['job-0002', 'succeeded', 0, [items[1]?.id]],
    ]);
    expect(record).toMatchObject({
      dataset: 'copied',
      runner: 'local',
      user: 'tester',
      tool: { id: 'test.copy', digest: tool.digest },
      inputs: [{ name: 'i', dataset: 'data', query: 'Population=p1' }],
    });
    expect(record.software?.['@bioimageit/core']).toBeDefined();
    expect(record.jobs[0]?.environment).toMatchObject({ runner: 'local' });
  });

  it('writes the run record at the start (running) and at the end only, and commits in batches', async () => {
    for (let n = 4; n <= 12; n++) await f.addItem(`p3_${n}.csv`, `a\n${n}\n`, { Population: 'p3', number: String(n) });
    const engine = (await engineFixture({ batch: { maxJobs: 5, maxDelayMs: 60_000 } })).engine;
    const { record } = await engine.run(f.store, { tool: f.tool(COPY_TOOL), inputs: [{ name: 'i' }], outputDataset: 'copied', jobs: 3 });
    expect(record.jobs).toHaveLength(12);
    expect(f.store.saveRunCalls.map((r) => r.status)).toEqual(['running', 'succeeded']);
    expect(f.store.saveRunCalls[0]?.jobs.map((j) => j.status)).toEqual(Array(12).fill('pending'));
    expect(f.store.commitCalls.map((c) => c.length)).toEqual([5, 5, 2]);
  });

  it('serves an identical second run from the cache, and runs again with cache off or a changed parameter', async () => {
    const tool = f.tool(counted('test.counted'));
    const request = { tool, inputs: [{ name: 'i', query: 'Population=p1' }], outputDataset: 'out', env: { counter: join(f.root, 'counter') } };
    const first = await f.engine.run(f.store, request);
    expect(await executions()).toBe(2);
    const second = await f.engine.run(f.store, request);
    expect(await executions()).toBe(2);
    expect(second.record.status).toBe('succeeded');
    expect(second.record.jobs.map((j) => [j.status, j.outputs, j.cachedFrom])).toEqual(
      first.record.jobs.map((j) => ['cached', j.outputs, { runId: first.record.id, jobId: j.id }]),
    );
    expect(await f.store.items('out')).toHaveLength(2);
    await f.engine.run(f.store, { ...request, cache: false });
    expect(await executions()).toBe(4);
    const changed = await f.engine.run(f.store, { ...request, params: { k: '2' } });
    expect(changed.record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded']);
    expect(await executions()).toBe(6);
    expect(changed.record.parameters).toEqual([{ name: 'k', value: '2' }]);
  });

  it("fails a job on a non-zero exit, saying the tool's own error line: nothing committed, logs kept, exit code recorded", async () => {
    const script =
      'echo "about to fail on $1"; echo "reading $1" >&2; echo "error: expected one 2-D mask, got axes \'ZCYX\'" >&2; echo "cleaning up" >&2; exit 3';
    const tool = f.tool(shellTool('test.fail', script));
    const { record } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'failed' });
    expect(record.status).toBe('failed');
    expect(record.jobs.map((j) => [j.status, j.exitCode, j.error])).toEqual(
      Array(3).fill(['failed', 3, "test.fail exited with code 3: error: expected one 2-D mask, got axes 'ZCYX'"]),
    );
    expect(f.store.commitCalls).toHaveLength(0);
    expect(await f.store.items('failed')).toEqual([]);
    const job = record.jobs[0];
    expect(job?.stderr).toBe(join('logs', record.id, 'job-0001.stderr.log'));
    expect(await readFile(join(f.root, 'failed', job?.stderr as string), 'utf8')).toMatch(
      /^reading \/.*p1_001\.csv\nerror: expected one 2-D mask, got axes 'ZCYX'\ncleaning up\n$/,
    );
    expect(await readFile(join(f.root, 'failed', job?.stdout as string), 'utf8')).toMatch(/^about to fail on \/.*p1_001\.csv\n$/);
  });

  it("keeps each job's own part of its worker's logs, and no empty log of a succeeded job", async () => {
    const tool = f.tool(shellTool('test.talk', 'case "$1" in *p2_*) ;; *) echo "copying $1"; echo "note" >&2;; esac; cp "$1" "$2"'));
    const { record } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'talk', jobs: 2 });
    const read = (relative: string | undefined) => readFile(join(f.root, 'talk', relative as string), 'utf8');
    for (const [k, name] of [
      [0, 'p1_001'],
      [1, 'p1_002'],
    ] as const) {
      expect(await read(record.jobs[k]?.stdout)).toBe(`copying ${join(f.root, name)}.csv\n`);
      expect(await read(record.jobs[k]?.stderr)).toBe('note\n');
    }
    expect([record.jobs[2]?.stdout, record.jobs[2]?.stderr]).toEqual([undefined, undefined]);
  });

  it('fails a job whose declared output is missing (MISSING_OUTPUT naming the file) and reports partial runs', async () => {
    const tool = f.tool(shellTool('test.lazy', 'case "$1" in *p2_*) exit 0;; esac; cp "$1" "$2"'));
    const { record } = await f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'lazy' });
    expect(record.status).toBe('partial');
    expect(record.jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(record.jobs[2]?.error).toBe("MISSING_OUTPUT: job 'job-0003': test.lazy exited with code 0 but did not write output 'o' (o_p2_001.txt)");
    expect((await f.store.items('lazy')).map((i) => i.name)).toEqual(['o_p1_001.txt', 'o_p1_002.txt']);
  });

  it('passes parameter values as single literal arguments, never through a shell', async () => {
    const tool = f.tool({
      id: 'test.argv',
      inputs: [
        { name: 'i', type: 'data' },
        { name: 'a', type: 'string' },
        { name: 'b', type: 'string' },
      ],
      outputs: [{ name: 'o', format: 'json', extension: 'json' }],
      command: {
        argv: [
          process.execPath,
          '-e',
          'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))',
          '{outputs.o}',
          '{params.a}',
          '--b={params.b}',
          '{inputs.i}',
        ],
      },
    });
    const params = { a: 'x; rm -rf ~', b: '$(id) `id` * "q"' };
    await f.engine.run(f.store, { tool, params, inputs: [{ name: 'i', query: 'number=002 AND Population=p1' }], outputDataset: 'argv' });
    const [out] = await f.store.items('argv');
    const argv = JSON.parse(await readFile(fileURLToPath(out?.dataUri as string), 'utf8')) as string[];
    expect(argv).toEqual(['x; rm -rf ~', '--b=$(id) `id` * "q"', join(f.root, 'p1_002.csv')]);
  });

  it('checks parameters, inputs and {env.NAME} values before anything is written', async () => {
    const tool = f.tool(counted('test.counted'));
    await expect(f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'out' })).rejects.toThrow(
      /needs \{env\.counter\}, but 'counter' is not set/,
    );
    await expect(f.engine.run(f.store, { tool, params: { k: 'x' }, inputs: [{ name: 'i' }], outputDataset: 'out' })).rejects.toThrow(
      /parameter 'k' must be an integer/,
    );
    await expect(f.engine.run(f.store, { tool, inputs: [{ name: 'j' }], outputDataset: 'out' })).rejects.toThrow(ToolError);
    await expect(f.engine.run(f.store, { tool, inputs: [{ name: 'i', query: 'Population=p9' }], outputDataset: 'out' })).rejects.toThrow(
      "tool 'test.counted': input 'i' selects no items from dataset 'data' with query 'Population=p9'",
    );
    expect(f.store.saveRunCalls).toEqual([]);
    expect(f.store.datasets.has('out')).toBe(false);
  });

  it('refuses the raw dataset as output before any hook fires or record is written (the server answered 202, then the run was gone)', async () => {
    const tool = f.tool(shellTool('test.copy', 'cp "$1" "$2"'));
    const before = vi.fn();
    f.hooks.beforeRun.tap('spec', before);
    await expect(f.engine.run(f.store, { tool, inputs: [{ name: 'i' }], outputDataset: 'data' })).rejects.toMatchObject({
      code: 'BAD_PARAMETER',
      message: "tool 'test.copy': output dataset 'data' is the raw dataset of the experiment; a run writes into a processed dataset: choose another name",
    });
    expect(before).not.toHaveBeenCalled();
    expect(f.store.saveRunCalls).toEqual([]);
  });

  it('selects one output of a multi-output tool by origin output name', async () => {
    const two = f.tool({
      id: 'test.two',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [
        { name: 'count', format: 'text', extension: 'txt' },
        { name: 'draw', format: 'text', extension: 'txt' },
      ],
      command: { argv: ['sh', '-c', 'echo 1 > "$1"; echo 2 > "$2"', 'sh', '{outputs.count}', '{outputs.draw}'] },
    });
    await f.engine.run(f.store, { tool: two, inputs: [{ name: 'i', query: 'Population=p1' }], outputDataset: 'two' });
    const { record } = await f.engine.run(f.store, {
      tool: f.tool(COPY_TOOL),
      inputs: [{ name: 'i', dataset: 'two', originOutputName: 'draw' }],
      outputDataset: 'copied',
    });
    expect((await f.store.items('copied')).map((i) => i.name)).toEqual(['o_draw_p1_001.txt', 'o_draw_p1_002.txt']);
    expect(record.inputs).toEqual([{ name: 'i', dataset: 'two', query: '', originOutputName: 'draw' }]);
  });
});

describe('RunEngine: hooks', () => {
  it('fires beforeRun, jobStarted, jobProgress, jobFinished and afterRun with typed payloads', async () => {
    const seen: string[] = [];
    f.hooks.beforeRun.tap('t', (e) => void seen.push(`before ${e.toolId} ${e.jobCount} ${e.dataset}`));
    f.hooks.jobStarted.tap('t', (e) => void seen.push(`started ${e.jobId}`));
    f.hooks.jobProgress.tap('t', (e) => void seen.push(`progress ${e.jobId} ${e.fraction}`));
    f.hooks.jobFinished.tap('t', (e) => void seen.push(`finished ${e.jobId} ${e.status} ${e.exitCode} ${e.outputs?.length}`));
    f.hooks.afterRun.tap('t', (e) => void seen.push(`after ${e.status} ${e.record?.jobs.length}`));
    const tool = f.tool(shellTool('test.progress', 'echo "progress: 50%"; echo "work"; echo 100% >&2; cp "$1" "$2"'));
    await f.engine.run(f.store, { tool, inputs: [{ name: 'i', query: 'number=001' }], outputDataset: 'p' });
    expect(seen[0]).toBe('before test.progress 2 p');
    expect(seen.at(-1)).toBe('after succeeded 2');
    for (const job of ['job-0001', 'job-0002']) {
      expect(seen.filter((s) => s.includes(job))).toEqual([`started ${job}`, `progress ${job} 0.5`, `progress ${job} 1`, `finished ${job} succeeded 0 1`]);
    }
    expect(seen).toHaveLength(10);
  });

  it('lets a beforeRun tap veto the run: nothing is written', async () => {
    f.hooks.beforeRun.tap('quota', () => {
      throw new Error('over quota');
    });
    const err = await f.engine.run(f.store, { tool: f.tool(COPY_TOOL), inputs: [{ name: 'i' }], outputDataset: 'copied' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HookError);
    expect((err as HookError).message).toBe("hook 'beforeRun' failed in plugin 'quota': over quota");
    expect(f.store.saveRunCalls).toEqual([]);
    expect(f.store.datasets.has('copied')).toBe(false);
  });

  it('fires runFailed when every job failed, and reports failing job taps as warnings', async () => {
    const failures: string[] = [];
    f.hooks.runFailed.tap('t', (e, error) => void failures.push(`${e.status} ${error.code}`));
    f.hooks.jobFinished.tap('broken', () => {
      throw new Error('tap bug');
    });
    const { record, warnings } = await f.engine.run(f.store, { tool: f.tool(shellTool('test.f', 'exit 1')), inputs: [{ name: 'i' }], outputDataset: 'f' });
    expect(record.status).toBe('failed');
    expect(failures).toEqual(['failed NON_ZERO_EXIT']);
    expect(warnings).toContain("jobFinished: hook 'jobFinished' failed in plugin 'broken': tap bug");
    expect((await stat(join(f.root, 'f', 'logs', record.id))).isDirectory()).toBe(true);
  });
});

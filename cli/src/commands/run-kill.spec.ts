import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem, RunRecord } from '@bioimageit/core';
import { isRunning, waitFor } from '@bioimageit/core/testing';
import { LocalFsStorageBackend } from '@bioimageit/local-fs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = ['--conditions=source', '--import', 'tsx', join(REPO, 'cli/src/main.ts')];
const EXP100 = join(REPO, 'tests/fixtures/v1/exp100');

/**
 * The tool: notes its pid under `pids/<phase>/` and sleeps a second, or, in phase `first` once the
 * file `long` exists, notes it under `pids/first-long/` and sleeps a minute (only a kill ends
 * those); writes a partial output meanwhile, then the real one, and notes `<phase> <input>` in
 * `done`. In phase `second` it first notes in `beside` every process of phase `first` still
 * running: a resumed job must never run beside one.
 */
const SCRIPT = [
  'ws="$3"; phase=$(cat "$ws/phase"); nap=1; dir=$phase',
  'if [ "$phase" = first ] && [ -e "$ws/long" ]; then nap=60; dir=first-long; fi',
  'if [ "$phase" = second ]; then for f in "$ws"/pids/first*/*; do [ -e "$f" ] || continue; p=${f##*/};',
  '  s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "beside $p" >> "$ws/beside"; done; fi',
  'echo "$phase $1" >> "$ws/started"; mkdir -p "$ws/pids/$dir"; echo $$ > "$ws/pids/$dir/$$"',
  'echo partial > "$2"; sleep $nap; cp "$1" "$2"; echo "$phase $1" >> "$ws/done"',
].join('\n');

interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

let ws: string;
let exp: string;
/** Every process the test started, and the process groups of the tools and detached CLIs: killed by pid after each test. */
const pids = new Set<number>();
const groups = new Set<number>();

beforeEach(async () => {
  ws = await mkdtemp(join(tmpdir(), 'bioimageit-run-kill-'));
  exp = join(ws, 'exp100');
  await cp(EXP100, exp, { recursive: true });
  await mkdir(join(ws, 'tools'));
  await mkdir(join(ws, 'tmp'));
  await writeFile(
    join(ws, 'tools', 'test.sleepy-copy.tool.json'),
    JSON.stringify({
      id: 'test.sleepy-copy',
      name: 'sleepy copy',
      version: '1.0.0',
      description: 'copies its input after a nap',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [{ name: 'o', format: 'imagetiff' }],
      command: { argv: ['sh', '-c', SCRIPT, 'sh', '{inputs.i}', '{outputs.o}', '{env.ws}'] },
    }),
  );
  const config = { user: { name: 'tester' }, experiments: '.', plugins: ['@bioimageit/local-fs'], tools: { dirs: ['tools'] }, env: { ws } };
  await writeFile(join(ws, 'bioimageit.config.json'), JSON.stringify(config));
});
afterEach(async () => {
  // Tools lead their own process groups (their `sleep` is in it); a detached CLI's group holds its spawn helper.
  for (const dir of ['first', 'first-long', 'second']) for (const name of await readdir(join(ws, 'pids', dir)).catch(() => [])) groups.add(Number(name));
  for (const pgid of groups) kill9(-pgid);
  for (const pid of pids) kill9(pid);
  groups.clear();
  pids.clear();
  await rm(ws, { recursive: true, force: true });
});

function kill9(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone, or not a group
  }
}

/** Starts `bioimageit ARGS` (TypeScript sources through tsx) in the workspace; `detached`: in its own process group. */
function startCli(args: string[], detached = false): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: REPO,
    env: { PATH: process.env['PATH'], USER: 'tester', BIOIMAGEIT_WORKSPACE: ws, TMPDIR: join(ws, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  pids.add(child.pid as number);
  if (detached) groups.add(child.pid as number);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Result>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

const lines = async (name: string): Promise<string[]> => (await readFile(join(ws, name), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
const pidsIn = async (dir: string): Promise<number[]> => (await readdir(join(ws, 'pids', dir)).catch(() => [])).map(Number);
const firstPids = async (): Promise<number[]> => [...(await pidsIn('first')), ...(await pidsIn('first-long'))];

async function openExperiment(): Promise<{
  items(dataset: string): Promise<readonly DataItem[]>;
  runs(): Promise<readonly RunRecord[]>;
  close(): Promise<void>;
}> {
  const store = await new LocalFsStorageBackend({ log: () => undefined }).openExperiment(exp);
  return { items: (d) => store.items(d), runs: () => store.listRuns('slow'), close: () => store.close() };
}

/** Every file under `dir` whose name ends in `.tmp`. */
async function tempFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile() && entry.name.endsWith('.tmp')) found.push(entry.name);
  return found;
}

const sha256 = async (file: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const inputOf = (item: DataItem): string => (item.origin.type === 'processed' ? (item.origin.inputs[0]?.id as string) : '');

describe.runIf(process.platform === 'linux')('bioimageit run: kill -9, then --resume', () => {
  const args = ['run', 'test.sleepy-copy', '-e', 'exp100', '-i', 'i=data:Population=population1 AND number<16', '-o', 'slow', '--jobs', '2'];

  it.each([
    ['the CLI alone: its spawn helper stops the tools at once', false],
    ['the CLI and its spawn helper: the resumed run stops the tools before its jobs', true],
  ])('kill -9 of %s; each job completes once, staging and temporary files are swept, committed items stay', async (_, wholeGroup) => {
    await writeFile(join(ws, 'phase'), 'first');
    const first = startCli(args, wholeGroup);
    // Kill once some outputs are committed and both workers run a tool that only a kill ends.
    let committed: readonly DataItem[] = [];
    await waitFor(
      async () => {
        const store = await openExperiment();
        committed = await store.items('slow').catch(() => []);
        await store.close();
        return committed.length >= 2;
      },
      'committed outputs',
      60_000,
    );
    await writeFile(join(ws, 'long'), '');
    await waitFor(async () => (await pidsIn('first-long')).length === 2, 'two long tools to start', 60_000);
    // The spawn helper records a job in the ledger once it has run a moment: what a later run reads after kill -9.
    const ledger = join(ws, 'tmp', `bioimageit-${process.getuid?.() ?? ''}`, 'local-jobs');
    const long = await pidsIn('first-long');
    await waitFor(
      async () => {
        const recorded = (await readdir(ledger).catch(() => [])).map((n) => Number(n.replace(/^\d+-|\.json$/g, '')));
        return long.every((pid) => recorded.includes(pid));
      },
      'the long tools in the job ledger',
      60_000,
    );
    if (wholeGroup) process.kill(-(first.child.pid as number), 'SIGKILL');
    else first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const tools = await firstPids();

    if (wholeGroup)
      expect(await Promise.all(tools.map(isRunning))).toContain(true); // the tools outlived their owner
    else for (const pid of tools) await waitFor(async () => !(await isRunning(pid)), `tool ${pid} to be stopped`, 20_000);

    const before = await openExperiment();
    committed = await before.items('slow');
    const [crashed] = await before.runs();
    await before.close();
    expect(crashed?.status).toBe('running');
    const digests = new Map(await Promise.all(committed.map(async (i) => [i.id, await sha256(fileURLToPath(i.dataUri))] as const)));

    await writeFile(join(ws, 'phase'), 'second');
    const resumed = await startCli([...args, '--resume', '--no-cache', '--json']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const { run, resumed: didResume } = JSON.parse(resumed.stdout) as { run: RunRecord; resumed: boolean };
    expect(didResume).toBe(true);
    expect(run.id).toBe(crashed?.id);
    expect(run.status).toBe('succeeded');
    if (wholeGroup) expect(resumed.stderr).toMatch(/local runner: stopped \d+ tool\(s\) left running by BioImageIT process\(es\) that died/);
    expect(await lines('beside')).toEqual([]);
    for (const pid of tools) expect(await isRunning(pid)).toBe(false);

    // The next open sweeps what the killed run left; every job's output is there once, intact.
    const after = await openExperiment();
    const items = await after.items('slow');
    const raw = await after.items('data');
    await after.close();
    expect(await readdir(join(exp, '.bioimageit', 'staging')).catch(() => [])).toEqual([]);
    expect(await tempFiles(exp)).toEqual([]);
    expect((await readdir(join(exp, '.bioimageit'))).filter((n) => n === 'journal.json' || n === 'lock')).toEqual([]);
    expect(items).toHaveLength(run.jobs.length);
    expect(new Set(items.map(inputOf)).size).toBe(items.length);
    for (const item of items) {
      const source = raw.find((r) => r.id === inputOf(item)) as DataItem;
      expect(await sha256(fileURLToPath(item.dataUri))).toBe(await sha256(fileURLToPath(source.dataUri)));
    }
    for (const [id, digest] of digests) {
      const kept = items.find((i) => i.id === id);
      expect(kept, `committed item ${id} kept`).toBeDefined();
      expect(await sha256(fileURLToPath((kept as DataItem).dataUri))).toBe(digest);
    }
    // Jobs committed before the kill never ran again; every other job completed exactly once when resumed.
    const done = await lines('done');
    const startedAgain = (await lines('started')).filter((l) => l.startsWith('second '));
    for (const item of items) {
      const path = fileURLToPath((raw.find((r) => r.id === inputOf(item)) as DataItem).dataUri);
      const completions = done.filter((l) => l === `second ${path}`).length;
      if (digests.has(item.id)) {
        expect(startedAgain.filter((l) => l === `second ${path}`)).toEqual([]);
      } else {
        expect(completions, path).toBe(1);
      }
    }
  });
});

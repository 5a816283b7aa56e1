import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunning, waitFor } from '../testing/process-waits.js';
import { JobLedger } from './job-ledger.js';
import { LocalRunner } from './local-runner.js';
import { processStartTicks, thisProcess } from './process-identity.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./test-support/sleepy-jobs-child.ts', import.meta.url));
const posix = process.platform !== 'win32';

let scratch: string;
let ledgerDir: string;
/** Every pid a test started or saw, killed (by pid) after each test whatever happened. */
const started = new Set<number>();
const groups = new Set<number>();

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-orphans-'));
  ledgerDir = path.join(scratch, 'ledger');
});
afterEach(async () => {
  for (const pgid of groups) signal(-pgid, 'SIGKILL');
  for (const pid of started) signal(pid, 'SIGKILL');
  groups.clear();
  started.clear();
  await rm(scratch, { recursive: true, force: true });
});

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Starts the child running `count` sleepy jobs; resolves once every tool wrote its pids. */
async function startJobs(count: number, mode: 'helper' | 'watched', detached = false): Promise<{ child: ChildProcess; tools: number[] }> {
  const dir = path.join(scratch, 'jobs');
  await mkdir(dir);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', CHILD, dir, String(count), mode, ledgerDir], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    detached,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  started.add(child.pid as number);
  if (detached) groups.add(child.pid as number);
  const files = () => readdir(dir).then((names) => names.filter((n) => n.endsWith('.pids')));
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`child exited early: ${stderr}`);
    return (await files()).length === count;
  }, 'the tools to start');
  const tools: number[] = [];
  for (const name of await files()) tools.push(...(await readFile(path.join(dir, name), 'utf8')).trim().split(' ').map(Number));
  for (const pid of tools) {
    started.add(pid);
    groups.add(pid);
  }
  await waitFor(async () => (await readdir(ledgerDir).catch(() => [])).filter((n) => n.endsWith('.json')).length === count, 'the ledger entries');
  return { child, tools };
}

async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe.runIf(posix)('LocalRunner: no tool outlives a killed owner', () => {
  it.each(['helper', 'watched'] as const)('kill -9 of the owner: the spawn helper stops every tool and what it started (%s)', async (mode) => {
    const { child, tools } = await startJobs(3, mode);
    child.kill('SIGKILL');
    await killed(child);
    for (const pid of tools) await waitFor(async () => !(await isRunning(pid)), `tool process ${pid} to be stopped`);
  });

  it('kill -9 of the owner and its helper: the next runner stops the leftovers before its first job, and says so', async () => {
    const { child, tools } = await startJobs(2, 'helper', true);
    process.kill(-(child.pid as number), 'SIGKILL'); // the child's whole group: it and its spawn helper
    await killed(child);
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of tools) expect(await isRunning(pid), `tool ${pid} survives its owner and helper`).toBe(true);

    const lines: string[] = [];
    const runner = new LocalRunner({ ledgerDir, killGraceMs: 500, log: (line) => lines.push(line) });
    const cwd = path.join(scratch, 'next');
    await mkdir(cwd);
    // The next job reports every leftover still running when it starts: none may be.
    const check = tools.map((p) => `s=$(cut -d' ' -f3 /proc/${p}/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "beside ${p}"`).join('; ');
    const result = await runner.run(
      { id: 'next', argv: ['sh', '-c', `${check}; true`], env: {}, cwd, stdoutPath: path.join(cwd, 'out'), stderrPath: path.join(cwd, 'err') },
      new AbortController().signal,
    );
    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(cwd, 'out'), 'utf8')).toBe('');
    for (const pid of tools) expect(await isRunning(pid)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^local runner: stopped 2 tool\\(s\\) left running by BioImageIT process\\(es\\) that died \\(pid ${child.pid}\\)`));
    expect(lines[0]).toMatch(/job-0 of run run-orph/);
    expect(await readdir(ledgerDir)).toEqual([]);
  });

  it('never signals a pid reused by another process, nor the jobs of a live owner', async () => {
    const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const pid = bystander.pid as number;
    started.add(pid);
    groups.add(pid);
    const dead = spawn('true');
    await new Promise((r) => dead.once('exit', r));
    await mkdir(ledgerDir, { recursive: true, mode: 0o700 });
    const start = processStartTicks(pid) ?? '5';
    const entry = (owner: object, job: object) => JSON.stringify({ host: hostname(), owner, job, jobId: 'j', cwd: scratch, time: new Date().toISOString() });
    // A dead owner whose job's pid now names another process (another start time).
    await writeFile(path.join(ledgerDir, 'reused.json'), entry({ pid: dead.pid, start: '1' }, { pid, start: String(BigInt(start) - 1n) }));
    // A live owner (this process): its job is its own business.
    await writeFile(path.join(ledgerDir, 'live.json'), entry(thisProcess, { pid, start }));
    const reaped = await new JobLedger(ledgerDir).reap(200);
    expect(reaped.map((r) => r.wasRunning)).toEqual([false]);
    expect(await isRunning(pid)).toBe(true);
    expect(await readdir(ledgerDir)).toEqual(['live.json']);
  });
});

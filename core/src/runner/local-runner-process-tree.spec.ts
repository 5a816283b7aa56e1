import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '../errors/area-errors.js';
import type { RunnerJob } from '../extension-points/runner.js';
import { LocalRunner } from './local-runner.js';

let scratch: string;
let counter = 0;
const never = new AbortController().signal;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'bioimageit-local-runner-tree-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function job(argv: string[], extra: Partial<RunnerJob> = {}): Promise<RunnerJob> {
  const id = `tree-${++counter}`;
  const cwd = path.join(scratch, id);
  await mkdir(cwd);
  return { id, argv, env: {}, cwd, stdoutPath: path.join(scratch, `${id}.out`), stderrPath: path.join(scratch, `${id}.err`), ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<RunnerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RunnerError);
  return error as RunnerError;
}

/** True while `pid` is a live process (a zombie waiting for its reaper counts as gone). */
async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (await alive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

async function waitFor(file: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.endsWith('\n')) return text.trim();
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${file}`);
}

const posix = process.platform !== 'win32';

describe.runIf(posix).each(['helper', 'in-process'] as const)('LocalRunner (%s spawn): process trees, signals and timeouts', (spawn) => {
  const tree = 'sleep 100 & echo $! > child.pid; echo $$ > parent.pid; sleep 100';

  it('cancellation kills the tool and the processes it started', async () => {
    const j = await job(['sh', '-c', tree]);
    const controller = new AbortController();
    const pending = new LocalRunner({ spawn }).run(j, controller.signal);
    const child = Number(await waitFor(path.join(j.cwd, 'child.pid')));
    const parent = Number(await waitFor(path.join(j.cwd, 'parent.pid')));
    controller.abort();
    const error = await rejection(pending);
    expect(error.code).toBe('CANCELLED');
    expect(await goneWithin(parent, 100)).toBe(true);
    expect(await goneWithin(child, 1000)).toBe(true);
  });

  it('a timeout kills the whole tree and rejects TIMEOUT naming the job and limit', async () => {
    const j = await job(['sh', '-c', tree], { timeoutMs: 400 });
    const error = await rejection(new LocalRunner({ spawn }).run(j, never));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain(j.id);
    expect(error.message).toContain('400 ms');
    expect(error.details['timeoutMs']).toBe(400);
    expect(await goneWithin(Number(await waitFor(path.join(j.cwd, 'child.pid'))), 1000)).toBe(true);
  });

  it('escalates to SIGKILL after the grace period when the tool ignores SIGTERM', async () => {
    const j = await job(['sh', '-c', `trap "" TERM; ${tree}`]);
    const controller = new AbortController();
    const pending = new LocalRunner({ spawn, killGraceMs: 300 }).run(j, controller.signal);
    const child = Number(await waitFor(path.join(j.cwd, 'child.pid')));
    const began = Date.now();
    controller.abort();
    expect((await rejection(pending)).code).toBe('CANCELLED');
    expect(Date.now() - began).toBeGreaterThanOrEqual(250);
    expect(await goneWithin(child, 1000)).toBe(true);
  });

  it('kills what the tool left running in its group when it exits', async () => {
    const j = await job(['sh', '-c', 'sleep 100 & echo $! > child.pid; exit 0']);
    expect((await new LocalRunner({ spawn }).run(j, never)).exitCode).toBe(0);
    expect(await goneWithin(Number(await waitFor(path.join(j.cwd, 'child.pid'))), 1000)).toBe(true);
  });

  it('does not wait for leftovers holding the onOutput pipes', async () => {
    const j = await job(['sh', '-c', 'echo hi; sleep 100 &'], { onOutput: () => undefined });
    const began = Date.now();
    expect((await new LocalRunner({ spawn }).run(j, never)).exitCode).toBe(0);
    expect(Date.now() - began).toBeLessThan(1500);
  });

  it('resolves a death by signal with exitCode null and the signal name', async () => {
    const result = await new LocalRunner({ spawn }).run(await job(['sh', '-c', 'kill -KILL $$']), never);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });

  it('cancels jobs aborted at any moment of their start, leaving nothing running', async () => {
    const runner = new LocalRunner({ spawn });
    const markers: string[] = [];
    for (const delayMs of [0, 1, 2, 3, 5, 8, 13]) {
      const marker = `${100 + Math.random()}`;
      markers.push(marker);
      const controller = new AbortController();
      const pending = runner.run(await job(['sleep', marker]), controller.signal);
      setTimeout(() => controller.abort(), delayMs);
      expect((await rejection(pending)).code).toBe('CANCELLED');
    }
    await new Promise((r) => setTimeout(r, 100));
    const running = await Promise.all(
      (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map((d) => readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '')),
    );
    expect(running.filter((c) => markers.some((m) => c.includes(m)))).toEqual([]);
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '@bioimageit/core';
import { acquireLock } from './experiment-lock.js';

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid as number;
}

describe('experiment lock', () => {
  let dir: string;
  let file: string;
  const timing = { timeoutMs: 2_000, staleMs: 60_000 };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-fs-lock-'));
    file = path.join(dir, '.bioimageit', 'lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is exclusive: a second taker waits for the release', async () => {
    const first = await acquireLock(file, timing, 'exp');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    const events: string[] = [];
    const second = acquireLock(file, timing, 'exp').then((lock) => {
      events.push('second');
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('release');
    await first.release();
    await (await second).release();
    expect(events).toEqual(['release', 'second']);
  });

  it('rejects with LOCKED naming the holder after the timeout', async () => {
    const held = await acquireLock(file, timing, 'experiment X');
    await expect(acquireLock(file, { ...timing, timeoutMs: 30 }, 'experiment X')).rejects.toMatchObject({
      code: 'LOCKED',
      message: expect.stringContaining(`experiment X is locked by pid ${process.pid} on host '${hostname()}'`),
      details: expect.objectContaining({ holder: expect.objectContaining({ pid: process.pid }) }),
    });
    await held.release();
  });

  it('breaks the lock of a dead process on this host at once', async () => {
    const pid = await deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    await acquireLock(file, timing, 'exp').then((l) => l.release());
    await writeFile(file, JSON.stringify({ pid, host: hostname(), time: new Date().toISOString(), token: 'dead' }));
    const lock = await acquireLock(file, { ...timing, timeoutMs: 0 }, 'exp');
    expect(lock.brokeStale).toBe(true);
    await lock.release();
  });

  it('breaks a lock of another host only once it is older than the stale age', async () => {
    await acquireLock(file, timing, 'exp').then((l) => l.release());
    await writeFile(file, JSON.stringify({ pid: 1, host: 'elsewhere', time: 'then', token: 'far' }));
    await expect(acquireLock(file, { timeoutMs: 20, staleMs: 60_000 }, 'exp')).rejects.toMatchObject({ code: 'LOCKED' });
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    const lock = await acquireLock(file, { timeoutMs: 0, staleMs: 60_000 }, 'exp');
    expect(lock.brokeStale).toBe(true);
    await lock.release();
  });

  it('keeps its lock fresh while held and never removes a lock that is not its own', async () => {
    const lock = await acquireLock(file, { timeoutMs: 100, staleMs: 40 }, 'exp');
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    while ((await stat(file)).mtimeMs < Date.now() - 30_000) await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(acquireLock(file, { timeoutMs: 0, staleMs: 40_000 }, 'exp')).rejects.toMatchObject({ code: 'LOCKED' });
    await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname(), time: 'now', token: 'someone-else' }));
    await lock.release();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ token: 'someone-else' });
  });
});

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-filelock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('withFileLock', () => {
  it('runs holders one at a time and removes the lock file after', async () => {
    const file = path.join(dir, 'x.lock');
    const order: string[] = [];
    const holder = (name: string) =>
      withFileLock(
        file,
        async () => {
          order.push(`${name} in`);
          await new Promise((r) => setTimeout(r, 50));
          order.push(`${name} out`);
        },
        { pollMs: 10 },
      );
    await Promise.all([holder('a'), holder('b'), holder('c')]);
    expect(order.filter((_, i) => i % 2 === 0).map((s) => s.split(' ')[0])).toEqual(order.filter((_, i) => i % 2 === 1).map((s) => s.split(' ')[0]));
    await expect(stat(file)).rejects.toThrow();
  });

  it('takes over a lock left by a process of this host that has exited', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid as number;
    await new Promise((r) => dead.once('exit', r));
    const file = path.join(dir, 'stale.lock');
    await writeFile(file, JSON.stringify({ pid, host: os.hostname(), since: '2020-01-01T00:00:00Z' }));
    expect(await withFileLock(file, async () => JSON.parse(await readFile(file, 'utf8')).pid as number)).toBe(process.pid);
  });

  it('waits for a live holder, tells who it waits for, and stops waiting on abort', async () => {
    const file = path.join(dir, 'held.lock');
    await writeFile(file, JSON.stringify({ pid: process.pid, host: os.hostname(), since: 'now' }));
    const told: string[] = [];
    const controller = new AbortController();
    const waiting = withFileLock(file, async () => 'got it', { pollMs: 10, signal: controller.signal, onWait: (o) => told.push(o) });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(told).toEqual([`process ${process.pid} on ${os.hostname()} since now`]);
  });
});

describe('withFileLock across hosts', () => {
  it('takes over a lock of another host that nobody touched for staleMs, and keeps its own fresh while working', async () => {
    const file = path.join(dir, 'remote.lock');
    await writeFile(file, JSON.stringify({ pid: 1, host: 'some-node-elsewhere', since: 'long ago' }));
    const old = new Date(Date.now() - 10_000);
    const { utimes } = await import('node:fs/promises');
    await utimes(file, old, old);
    const ages: number[] = [];
    await withFileLock(
      file,
      async () => {
        for (let i = 0; i < 4; i++) {
          await new Promise((r) => setTimeout(r, 500));
          ages.push(Date.now() - (await stat(file)).mtimeMs);
        }
      },
      { staleMs: 1600, pollMs: 10 },
    );
    expect(Math.max(...ages)).toBeLessThan(1600);
  });

  it('waits for a lock of another host that is still being touched', async () => {
    const file = path.join(dir, 'busy.lock');
    await writeFile(file, JSON.stringify({ pid: 1, host: 'some-node-elsewhere', since: 'now' }));
    const controller = new AbortController();
    const waiting = withFileLock(file, async () => 'taken', { staleMs: 5_000, pollMs: 10, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('gave up')), 200);
    await expect(waiting).rejects.toThrow('gave up');
  });
});

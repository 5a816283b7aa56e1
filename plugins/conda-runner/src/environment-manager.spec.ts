import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import type { CreationPaths, EnvironmentCreator } from './environment-creator.js';
import { EnvironmentManager } from './environment-manager.js';
import { environmentHash, type SolvedEnvironmentSpec } from './environment-spec.js';

let envs: string;
beforeEach(async () => {
  envs = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-manager-'));
});
afterEach(() => rm(envs, { recursive: true, force: true }));

const body = { specs: ['x'], channels: ['http://127.0.0.1:1/'], pip: [], platform: 'linux-64' };
const spec: SolvedEnvironmentSpec = { kind: 'solved', ...body, hash: environmentHash(body) };

/** A creator that writes one conda-meta record, optionally waiting for `gate` or failing half-way. */
class FakeCreator implements EnvironmentCreator {
  readonly kind = 'embedded' as const;
  calls = 0;
  aborted = false;
  gate?: Promise<void>;
  failWith?: Error;
  async describe(): Promise<string> {
    return 'fake creator';
  }
  async create(_: SolvedEnvironmentSpec, paths: CreationPaths, _report: unknown, _label: string, signal?: AbortSignal): Promise<void> {
    this.calls++;
    await mkdir(path.join(paths.prefix, 'conda-meta'), { recursive: true });
    await writeFile(path.join(paths.staging, 'work.txt'), 'temporary');
    signal?.addEventListener('abort', () => (this.aborted = true), { once: true });
    await (signal === undefined
      ? this.gate
      : Promise.race([this.gate, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]));
    if (this.failWith !== undefined) throw this.failWith;
    await writeFile(
      path.join(paths.prefix, 'conda-meta', 'x-1-0.json'),
      JSON.stringify({ name: 'x', version: '1', build: '0', channel: 'http://127.0.0.1:1' }),
    );
  }
}

describe('EnvironmentManager', () => {
  it('creates once for concurrent requests and then reads the record from disk', async () => {
    const creator = new FakeCreator();
    const manager = new EnvironmentManager(envs, creator);
    const [a, b] = await Promise.all([manager.ensure(spec, "tool 't'"), manager.ensure(spec, "tool 't'")]);
    expect(creator.calls).toBe(1);
    expect(a.record).toEqual(b.record);
    expect(a.record).toMatchObject({
      hash: spec.hash,
      prefix: path.join(envs, spec.hash),
      createdBy: 'fake creator',
      lock: [{ name: 'x', version: '1', build: '0', channel: 'http://127.0.0.1:1' }],
    });
    const fresh = await new EnvironmentManager(envs, creator).ensure(spec, "tool 't'");
    expect(fresh).toEqual({ record: a.record, created: false });
    expect(creator.calls).toBe(1);
    expect((await readdir(envs)).sort()).toEqual([spec.hash]);
  });

  it('removes the prefix and the staging folder of a failed creation, and remembers the failure', async () => {
    const creator = new FakeCreator();
    creator.failWith = new RunnerError('UNAVAILABLE', "tool 't': nope");
    const manager = new EnvironmentManager(envs, creator);
    await expect(manager.ensure(spec, "tool 't'")).rejects.toThrow("tool 't': nope");
    expect(await readdir(envs)).toEqual([]);
    await expect(manager.ensure(spec, "tool 't'")).rejects.toThrow("tool 't': nope");
    expect(creator.calls).toBe(1);
  });

  it('makes an environment again when it was removed from disk while the manager lives', async () => {
    const creator = new FakeCreator();
    const manager = new EnvironmentManager(envs, creator);
    const first = await manager.ensure(spec, "tool 't'");
    await rm(first.record.prefix, { recursive: true });
    const again = await manager.ensure(spec, "tool 't'");
    expect(again.created).toBe(true);
    expect(creator.calls).toBe(2);
  });

  it('stops waiting on cancel (CANCELLED naming the job) while the creation goes on for the others', async () => {
    const creator = new FakeCreator();
    let open!: () => void;
    creator.gate = new Promise((resolve) => (open = resolve));
    const manager = new EnvironmentManager(envs, creator);
    const controller = new AbortController();
    const waiting = manager.ensure(spec, "tool 't'", controller.signal, 'job-0007');
    const other = manager.ensure(spec, "tool 't'");
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const error = (await waiting.catch((e: unknown) => e)) as RunnerError;
    expect(error.code).toBe('CANCELLED');
    expect(error.message).toBe(`job 'job-0007' was cancelled while waiting for conda environment ${spec.hash}`);
    open();
    expect((await other).record.lock.map((p) => p.name)).toEqual(['x']);
    expect(creator.aborted).toBe(false);
    expect(creator.calls).toBe(1);
    expect(await readdir(envs)).toEqual([spec.hash]);
  });
});

describe('EnvironmentManager, every waiter cancelled', () => {
  it('stops the creation, removes what it made, and does not remember it as a failure', async () => {
    const creator = new FakeCreator();
    let open!: () => void;
    creator.gate = new Promise((resolve) => (open = resolve));
    const manager = new EnvironmentManager(envs, creator);
    const one = new AbortController();
    const two = new AbortController();
    const first = manager.ensure(spec, "tool 't'", one.signal, 'job-0001').catch((e: unknown) => e);
    const second = manager.ensure(spec, "tool 't'", two.signal, 'job-0002').catch((e: unknown) => e);
    for (let i = 0; i < 200 && creator.calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
    one.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(creator.aborted).toBe(false); // job-0002 still waits
    two.abort();
    expect(((await first) as RunnerError).code).toBe('CANCELLED');
    expect(((await second) as RunnerError).code).toBe('CANCELLED');
    for (let i = 0; i < 100 && (await readdir(envs)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(creator.aborted).toBe(true);
    expect(await readdir(envs)).toEqual([]);
    open();
    creator.gate = undefined;
    expect((await manager.ensure(spec, "tool 't'")).created).toBe(true);
    expect(creator.calls).toBe(2);
  });
});

import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { lockLines } from './conda-lock.js';
import { ExistingEnvironments } from './existing-environments.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-existing-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function install(prefix: string, name: string, version: string): Promise<void> {
  await mkdir(path.join(prefix, 'conda-meta'), { recursive: true });
  await writeFile(path.join(prefix, 'conda-meta', `${name}-${version}-0.json`), JSON.stringify({ name, version, build: '0', channel: 'conda-forge' }));
}

describe('ExistingEnvironments', () => {
  it('finds a named environment once and re-reads its lock only when conda-meta changes', async () => {
    const prefix = path.join(dir, 'envs', 'seg');
    await install(prefix, 'numpy', '1.26.4');
    const existing = new ExistingEnvironments([path.join(dir, 'envs')], undefined);
    expect(lockLines((await existing.resolve({ kind: 'existing', name: 'seg' }, "tool 't'")).lock)).toEqual(['numpy=1.26.4=0']);
    await new Promise((r) => setTimeout(r, 20));
    await install(prefix, 'scipy', '1.13.0');
    const now = await existing.resolve({ kind: 'existing', name: 'seg' }, "tool 't'");
    expect(now.prefix).toBe(prefix);
    expect(lockLines(now.lock)).toEqual(['numpy=1.26.4=0', 'scipy=1.13.0=0']);
    await rename(path.join(dir, 'envs'), path.join(dir, 'moved'));
    await expect(existing.resolve({ kind: 'existing', name: 'seg' }, "tool 't'")).rejects.toThrow(RunnerError); // the cached prefix is gone
  });

  it('takes a prefix path as it is and names one that is not an environment', async () => {
    const existing = new ExistingEnvironments([], undefined);
    const error = (await existing.resolve({ kind: 'existing', prefix: path.join(dir, 'nothing') }, "job 'j' (tool 't')").catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toBe(`job 'j' (tool 't'): ${path.join(dir, 'nothing')} is not a conda environment (no conda-meta folder)`);
  });
});

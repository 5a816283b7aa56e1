import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { listEnvironments, removeEnvironment } from './environment-inventory.js';

let envs: string;
beforeEach(async () => {
  envs = await mkdtemp(path.join(tmpdir(), 'bioimageit-conda-inventory-'));
});
afterEach(() => rm(envs, { recursive: true, force: true }));

async function environment(hash: string, createdAt: string | undefined): Promise<void> {
  await mkdir(path.join(envs, hash, 'conda-meta'), { recursive: true });
  await writeFile(path.join(envs, hash, 'bin-file'), 'x'.repeat(100));
  if (createdAt === undefined) return;
  await mkdir(path.join(envs, hash, '.bioimageit'));
  await writeFile(path.join(envs, hash, '.bioimageit', 'environment.json'), JSON.stringify({ hash, createdAt, specs: ['x'], lock: [] }));
}

describe('environment inventory', () => {
  it('lists ready environments by creation time, then half-made ones, ignoring other entries', async () => {
    await environment('b'.repeat(20), '2026-02-01T00:00:00Z');
    await environment('a'.repeat(20), '2026-03-01T00:00:00Z');
    await environment('c'.repeat(20), undefined);
    await mkdir(path.join(envs, '.pkgs'));
    await writeFile(path.join(envs, `${'a'.repeat(20)}.lock`), '{}');
    const list = await listEnvironments(envs);
    expect(list.map((e) => [e.hash[0], e.record?.createdAt])).toEqual([
      ['b', '2026-02-01T00:00:00Z'],
      ['a', '2026-03-01T00:00:00Z'],
      ['c', undefined],
    ]);
    expect(list[2]?.bytes).toBe(100);
  });

  it('removes one environment by a unique hash prefix, and refuses ambiguous or unknown ones', async () => {
    await environment('abcdef'.padEnd(20, '0'), '2026-01-01T00:00:00Z');
    await environment('abcde1'.padEnd(20, '0'), '2026-01-01T00:00:00Z');
    expect(await removeEnvironment(envs, 'abcdef')).toBe('abcdef'.padEnd(20, '0'));
    expect(await readdir(envs)).toEqual(['abcde1'.padEnd(20, '0')]);
    await expect(removeEnvironment(envs, 'abcde')).rejects.toThrow(RunnerError);
    await expect(removeEnvironment(envs, 'abcde')).rejects.toThrow('give at least 6 characters of its hash');
    await expect(removeEnvironment(envs, 'ffffff')).rejects.toThrow("cannot remove conda environment 'ffffff'");
  });
});

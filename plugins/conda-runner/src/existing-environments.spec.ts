import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createToolManifest, RunnerError, type ToolManifest } from '@bioimageit/core';
import { CondaRunner } from './conda-runner.js';
import { DEFAULT_CHANNEL_ALIAS } from './conda-settings.js';
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
    const error = (await existing
      .resolve({ kind: 'existing', prefix: path.join(dir, 'nothing') }, "job 'j' (tool 't')")
      .catch((e: unknown) => e)) as RunnerError;
    expect(error.message).toBe(`job 'j' (tool 't'): ${path.join(dir, 'nothing')} is not a conda environment (no conda-meta folder)`);
  });
});

describe('conda runner environment key (Runner.environmentKey)', () => {
  const tool = (conda: Record<string, unknown>): ToolManifest =>
    createToolManifest(
      { id: 'test.seg', name: 'Seg', version: '1.0.0', description: 'd', inputs: [], outputs: [], command: { argv: ['seg'] }, requirements: { conda } },
      path.join(dir, 'seg.tool.json'),
    );
  const runner = (): CondaRunner =>
    new CondaRunner({
      settings: {
        command: 'embedded',
        envsDir: path.join(dir, 'envs'),
        defaultChannels: [],
        channelAlias: DEFAULT_CHANNEL_ALIAS,
        namedEnvDirs: [path.join(dir, 'named')],
      },
      progress: () => undefined,
    });

  it("follows a named environment's packages, and leaves solved environments to the tool's digest", async () => {
    const prefix = path.join(dir, 'named', 'seg');
    await install(prefix, 'numpy', '1.26.4');
    const conda = runner();
    const first = await conda.environmentKey(tool({ env: 'seg' }));
    expect(first).toMatch(/^conda:[0-9a-f]{64}$/);
    expect(await conda.environmentKey(tool({ env: prefix }))).toBe(first);
    await install(prefix, 'scipy', '1.13.0');
    const second = await conda.environmentKey(tool({ env: 'seg' }));
    expect(second).not.toBe(first);
    expect(await conda.environmentKey(tool({ packages: ['numpy 1.26.*'], channels: ['conda-forge'] }))).toBeUndefined();
    await expect(conda.environmentKey(tool({ env: 'absent' }))).rejects.toThrow(RunnerError);
  });
});

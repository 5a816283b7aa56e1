import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, settingsEnvironment } from './kernel-config.js';
import { loadKernelConfig, writeInitialConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadKernelConfig', () => {
  it('finds the workspace above the current folder and fills defaults', async () => {
    await writeInitialConfig(dir, 'ada', { plugins: ['@bioimageit/local-fs', '@bioimageit/thumbnails'] });
    await mkdir(join(dir, 'a', 'b'), { recursive: true });
    const config = await loadKernelConfig({ cwd: join(dir, 'a', 'b'), env: {} });
    expect(config).toMatchObject({
      workspace: dir,
      user: { name: 'ada' },
      experiments: '.',
      plugins: ['@bioimageit/local-fs', '@bioimageit/thumbnails'],
      import: { mode: 'copy', batchSize: 500 },
    });
  });

  it('lets environment variables override the file', async () => {
    await writeInitialConfig(dir, 'ada');
    const config = await loadKernelConfig({
      cwd: dir,
      env: {
        BIOIMAGEIT_USER: 'grace',
        BIOIMAGEIT_IMPORT_MODE: 'reference',
        BIOIMAGEIT_IMPORT_BATCH_SIZE: '50',
        BIOIMAGEIT_PLUGINS: '@bioimageit/local-fs, ./my-plugin',
      },
    });
    expect(config.user.name).toBe('grace');
    expect(config.import).toMatchObject({ mode: 'reference', batchSize: 50 });
    expect(config.plugins).toEqual(['@bioimageit/local-fs', './my-plugin']);
  });

  it('keeps import.roots (folders the REST API may import from) through environment overrides, and names a bad one', async () => {
    const file = join(dir, CONFIG_FILE);
    await writeFile(file, JSON.stringify({ import: { mode: 'copy', roots: { microscope1: '/data/m1', 'shared.in': 'incoming' } } }));
    const config = await loadKernelConfig({ cwd: dir, env: { BIOIMAGEIT_IMPORT_MODE: 'reference' } });
    expect(config.import).toMatchObject({ mode: 'reference', roots: { microscope1: '/data/m1', 'shared.in': 'incoming' } });
    await writeFile(file, JSON.stringify({ import: { roots: { '../up': '/data' } } }));
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(`${file}: 'import.roots.../up' is not a root name`);
    await writeFile(file, JSON.stringify({ import: { roots: ['/data'] } }));
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(`${file}: 'import.roots' must be an object of folder paths by name`);
    await writeFile(file, JSON.stringify({ import: { roots: { m1: '' } } }));
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(`${file}: 'import.roots.m1' must be a folder path`);
  });

  it('takes BIOIMAGEIT_WORKSPACE and --workspace over the current folder', async () => {
    await writeInitialConfig(dir, 'ada');
    const elsewhere = await mkdtemp(join(tmpdir(), 'biit-elsewhere-'));
    try {
      expect((await loadKernelConfig({ cwd: elsewhere, env: { BIOIMAGEIT_WORKSPACE: dir } })).workspace).toBe(dir);
      expect((await loadKernelConfig({ cwd: elsewhere, env: {}, workspace: dir })).workspace).toBe(dir);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('explains how to make a workspace when there is none', async () => {
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toMatchObject({ code: 'NO_WORKSPACE', message: expect.stringContaining('bioimageit init') });
  });

  it('names the file and the field of a bad setting', async () => {
    const file = join(dir, CONFIG_FILE);
    await writeFile(file, '{ "import": { "mode": "move" } }');
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(`${file}: 'import.mode' must be 'copy' or 'reference'`);
    await writeFile(file, '{ "plugins": "local-fs" }');
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(/'plugins' must be an array/);
    await writeFile(file, '{ "colour": "blue" }');
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toThrow(/'colour' is not a known setting/);
    await writeFile(file, '{ broken');
    await expect(loadKernelConfig({ cwd: dir, env: {} })).rejects.toMatchObject({ code: 'INVALID', message: expect.stringContaining('is not valid JSON') });
    await writeFile(file, '{}');
    await expect(loadKernelConfig({ cwd: dir, env: { BIOIMAGEIT_IMPORT_BATCH_SIZE: 'lots' } })).rejects.toThrow(
      /environment \(BIOIMAGEIT_\* variables\): 'import.batchSize'/,
    );
  });

  it('refuses to initialize a folder twice', async () => {
    await writeInitialConfig(dir, 'ada');
    await expect(writeInitialConfig(dir, 'ada')).rejects.toThrow(/already a workspace/);
  });
});

describe('plugin settings in the config file', () => {
  let ws: string;
  beforeEach(async () => {
    ws = await mkdtemp(join(tmpdir(), 'biit-settings-'));
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  it('reads settings by variable name; the environment wins when it sets one', async () => {
    await writeFile(
      join(ws, CONFIG_FILE),
      JSON.stringify({ settings: { BIOIMAGEIT_SLURM_PARTITION: 'gpu', BIOIMAGEIT_SLURM_JOBS: 16, BIOIMAGEIT_SLURM_ARRAY: false } }),
    );
    const config = await loadKernelConfig({ cwd: ws, env: {} });
    expect(config.settings).toEqual({ BIOIMAGEIT_SLURM_PARTITION: 'gpu', BIOIMAGEIT_SLURM_JOBS: '16', BIOIMAGEIT_SLURM_ARRAY: 'false' });
    const env = settingsEnvironment(config, { BIOIMAGEIT_SLURM_PARTITION: 'debug', BIOIMAGEIT_SLURM_JOBS: '', HOME: '/home/u' });
    expect(env).toMatchObject({ BIOIMAGEIT_SLURM_PARTITION: 'debug', BIOIMAGEIT_SLURM_JOBS: '16', BIOIMAGEIT_SLURM_ARRAY: 'false', HOME: '/home/u' });
    expect(settingsEnvironment(undefined, { A: '1' })).toEqual({ A: '1' });
  });

  it('names the file and the setting of a bad entry', async () => {
    const file = join(ws, CONFIG_FILE);
    await writeFile(file, JSON.stringify({ settings: ['BIOIMAGEIT_SLURM_PARTITION=gpu'] }));
    await expect(loadKernelConfig({ cwd: ws, env: {} })).rejects.toThrow(`${file}: 'settings' must be an object of plugin settings by variable name`);
    await writeFile(file, JSON.stringify({ settings: { 'slurm.partition': 'gpu' } }));
    await expect(loadKernelConfig({ cwd: ws, env: {} })).rejects.toThrow(`${file}: 'settings.slurm.partition' is not a setting name`);
    await writeFile(file, JSON.stringify({ settings: { BIOIMAGEIT_SLURM_SBATCH_ARGS: ['--gres=gpu:1'] } }));
    await expect(loadKernelConfig({ cwd: ws, env: {} })).rejects.toThrow(
      `${file}: 'settings.BIOIMAGEIT_SLURM_SBATCH_ARGS' must be a string, number or boolean`,
    );
  });
});

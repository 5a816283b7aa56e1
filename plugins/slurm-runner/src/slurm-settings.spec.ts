import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bioimageit/core';
import { DEFAULT_SLURM_SETTINGS, parseSlurmSettings, resolveSlurmSettings } from './slurm-settings.js';

describe('slurm settings', () => {
  it('defaults to array jobs, gentle polling and the workspace check', () => {
    expect(resolveSlurmSettings({}, {})).toEqual(DEFAULT_SLURM_SETTINGS);
    expect(DEFAULT_SLURM_SETTINGS).toMatchObject({ array: true, pollMinMs: 500, pollMaxMs: 10_000, checkWorkspace: true, defaultJobs: 64 });
  });

  it('reads BIOIMAGEIT_SLURM_* variables over the given options', () => {
    const settings = resolveSlurmSettings(
      { partition: 'cpu', pollMinMs: 200 },
      {
        BIOIMAGEIT_SLURM_PARTITION: 'gpu',
        BIOIMAGEIT_SLURM_ACCOUNT: 'lab-42',
        BIOIMAGEIT_SLURM_ARRAY: 'false',
        BIOIMAGEIT_SLURM_ARRAY_PARALLEL: '8',
        BIOIMAGEIT_SLURM_SBATCH_ARGS: '["--constraint=avx2", "--exclusive"]',
        BIOIMAGEIT_SLURM_POLL_MAX_MS: '3000',
      },
    );
    expect(settings).toMatchObject({
      partition: 'gpu',
      account: 'lab-42',
      array: false,
      arrayParallel: 8,
      extraArgs: ['--constraint=avx2', '--exclusive'],
      pollMinMs: 200,
      pollMaxMs: 3000,
    });
    expect(resolveSlurmSettings({}, { BIOIMAGEIT_SLURM_SBATCH_ARGS: '--qos=long  --nice=10' }).extraArgs).toEqual(['--qos=long', '--nice=10']);
    expect(resolveSlurmSettings({}, { BIOIMAGEIT_SLURM_JOBS: '200' }).defaultJobs).toBe(200);
  });

  it('names the variable or field of a bad value', () => {
    const thrown = (fn: () => unknown): ConfigError => {
      try {
        fn();
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('did not throw');
    };
    const bad = thrown(() => resolveSlurmSettings({}, { BIOIMAGEIT_SLURM_POLL_MIN_MS: 'soon' }));
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.message).toContain('BIOIMAGEIT_SLURM');
    expect(bad.message).toContain('pollMinMs');
    expect(thrown(() => parseSlurmSettings({ partition: 'a b' }, 'options')).message).toMatch(/options: slurm setting 'partition'/);
    expect(thrown(() => parseSlurmSettings({ extraArgs: ['--array=1-3'] }, 'options')).message).toMatch(/must not set --array/);
    expect(thrown(() => parseSlurmSettings({ pollMinMs: 5000, pollMaxMs: 1000 }, 'options')).message).toMatch(/pollMaxMs/);
    expect(thrown(() => parseSlurmSettings({ nodes: 3 }, 'options')).message).toMatch(/'nodes' is not a known setting/);
    expect(thrown(() => parseSlurmSettings({ binDir: 'bin' }, 'options')).message).toMatch(/absolute/);
    expect(thrown(() => resolveSlurmSettings({}, { BIOIMAGEIT_SLURM_JOBS: '0' })).message).toMatch(/defaultJobs.*integer >= 1/);
  });
});

describe('settings declared in package.json (bioimageit.settings)', () => {
  it('are exactly the BIOIMAGEIT_SLURM_* variables the runner reads, so a workspace config may give any of them', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { bioimageit: { settings: string[] } };
    const { SLURM_SETTING_VARIABLES } = await import('./slurm-settings.js');
    expect([...pkg.bioimageit.settings].sort()).toEqual(Object.keys(SLURM_SETTING_VARIABLES).sort());
  });
});

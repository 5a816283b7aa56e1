import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunnerError, validateRunnerOptions, type RunnerJob } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobScript, sbatchOptions, type BatchSpec } from './job-script.js';
import { slurmRunOptions, slurmRunOverrides } from './slurm-run-options.js';
import { SlurmRunner } from './slurm-runner.js';
import { DEFAULT_SLURM_SETTINGS, parseSlurmSettings } from './slurm-settings.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slurm-run-options-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const job = (runnerOptions: RunnerJob['runnerOptions']): RunnerJob => ({
  id: 'job-0001',
  argv: ['true'],
  env: {},
  cwd: dir,
  stdoutPath: path.join(dir, 'out.log'),
  stderrPath: path.join(dir, 'err.log'),
  ...(runnerOptions !== undefined && { runnerOptions }),
});

const settings = parseSlurmSettings({ partition: 'batch', account: 'lab', extraArgs: ['--exclusive'] }, 'test');

const spec = (overrides: BatchSpec['overrides']): BatchSpec => ({
  name: 'tool.id',
  dir,
  tasks: [{ cwd: dir, argv: ['true'], env: {} }],
  array: false,
  resources: { cpus: 2, memoryMb: 1000, gpus: 1, timeLimitMinutes: 6 },
  settings,
  ...(overrides !== undefined && { overrides }),
});

const value = (options: readonly string[], flag: string): string[] => options.filter((o) => o.startsWith(`--${flag}=`)).map((o) => o.slice(flag.length + 3));

describe('slurm runner options', () => {
  it("declares partition, account, qos, time, mem, cpus-per-task, gres and gpus, with the settings' values as defaults", () => {
    const options = slurmRunOptions(settings);
    expect(Object.keys(options)).toEqual(['partition', 'account', 'qos', 'time', 'mem', 'cpus-per-task', 'gres', 'gpus']);
    expect(options['partition']?.default).toBe('batch');
    expect(options['account']?.default).toBe('lab');
    expect(options['qos']).not.toHaveProperty('default');
    expect(new SlurmRunner({ settings }).runOptions).toEqual(options);
  });

  it("puts a run's partition, time, memory, CPUs and GPUs in the sbatch options instead of the settings' and the tool's", () => {
    const before = sbatchOptions(spec(undefined));
    expect([value(before, 'partition'), value(before, 'time'), value(before, 'mem'), value(before, 'cpus-per-task'), value(before, 'gres')]).toEqual([
      ['batch'],
      ['6'],
      ['1000M'],
      ['2'],
      ['gpu:1'],
    ]);
    const overrides = slurmRunOverrides(job({ partition: 'gpu', time: '00:10:00', mem: '4G', 'cpus-per-task': 8, gpus: 2, account: 'other', qos: 'high' }));
    const after = sbatchOptions(spec(overrides));
    expect(value(after, 'partition')).toEqual(['gpu']);
    expect(value(after, 'account')).toEqual(['other']);
    expect(value(after, 'qos')).toEqual(['high']);
    expect(value(after, 'time')).toEqual(['00:10:00']);
    expect(value(after, 'mem')).toEqual(['4G']);
    expect(value(after, 'cpus-per-task')).toEqual(['8']);
    expect(value(after, 'gres')).toEqual(['gpu:2']);
    expect(after.at(-1)).toBe('--exclusive');
    expect(jobScript(spec(overrides))).toContain("'--partition=gpu' ");
    expect(value(sbatchOptions(spec(slurmRunOverrides(job({ gres: 'gpu:a100:1', gpus: 3 })))), 'gres')).toEqual(['gpu:a100:1']);
    expect(value(sbatchOptions(spec(slurmRunOverrides(job({ gpus: 0 })))), 'gres')).toEqual([]);
  });

  it('refuses values with shell syntax or line breaks, at the engine and again in the runner, before anything is submitted', async () => {
    const runner = new SlurmRunner({ settings: DEFAULT_SLURM_SETTINGS });
    const hostile = ['gpu\n#SBATCH --wrap=touch /tmp/pwned', 'gpu; touch /tmp/pwned', '$(touch /tmp/pwned)', "gpu' --wrap='id", 'gpu --wrap=id', '`id`'];
    for (const text of hostile) {
      for (const option of ['partition', 'account', 'qos', 'time', 'mem', 'gres']) {
        expect(() => validateRunnerOptions(runner, { [option]: text }), `${option}=${text}`).toThrow(`option '${option}' must`);
        expect(() => slurmRunOverrides(job({ [option]: text })), `${option}=${text}`).toThrow(RunnerError);
      }
      const refused = await runner.run(job({ partition: text }), new AbortController().signal).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RunnerError);
      expect((refused as RunnerError).message).toContain("slurm option 'partition' must match");
    }
    expect(() => slurmRunOverrides(job({ 'cpus-per-task': 0 }))).toThrow("'cpus-per-task' must be at least 1");
    expect(() => slurmRunOverrides(job({ nodes: 4 }))).toThrow("'nodes' is not an option of the slurm runner");
  });

  it('accepts the time formats SLURM knows', () => {
    const runner = new SlurmRunner({ settings: DEFAULT_SLURM_SETTINGS });
    for (const time of ['30', '30:00', '01:30:00', '2-0', '2-12:00', '1-00:00:00']) expect(validateRunnerOptions(runner, { time })).toEqual({ time });
    for (const time of ['1h', '10:', ':10', '1-', 'INFINITE ']) expect(() => validateRunnerOptions(runner, { time }), time).toThrow("option 'time' must match");
  });
});

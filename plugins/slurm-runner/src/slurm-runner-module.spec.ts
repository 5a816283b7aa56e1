import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernelHooks, HookContribution, KernelConfig, RunnerContribution, type Runner, type RunnerRegistrar } from '@bioimageit/core';
import slurmRunnerModule from './slurm-runner-module.js';
import { SlurmRunner } from './slurm-runner.js';

function registered(container: Container): Runner[] {
  const runners: Runner[] = [];
  const registrar: RunnerRegistrar = { register: (runner) => (runners.push(runner), { dispose() {} }) };
  for (const c of container.getAll<RunnerContribution>(RunnerContribution)) c.registerRunners(registrar);
  return runners;
}

describe('slurm-runner container module', () => {
  const saved = process.env['BIOIMAGEIT_SLURM_PARTITION'];
  afterEach(() => {
    if (saved === undefined) delete process.env['BIOIMAGEIT_SLURM_PARTITION'];
    else process.env['BIOIMAGEIT_SLURM_PARTITION'] = saved;
  });

  it('contributes one slurm runner configured from the environment, and taps beforeRun', () => {
    process.env['BIOIMAGEIT_SLURM_PARTITION'] = 'gpu';
    const container = new Container();
    container.bind(KernelConfig).toConstantValue({ workspace: '/srv/ws' } as KernelConfig);
    container.load(slurmRunnerModule);
    const [runner, ...others] = registered(container);
    expect(others).toEqual([]);
    expect(runner).toBeInstanceOf(SlurmRunner);
    expect(runner?.id).toBe('slurm');
    expect((runner as SlurmRunner).settings.partition).toBe('gpu');
    expect(container.get(SlurmRunner)).toBe(runner);
    const hooks = createKernelHooks();
    for (const c of container.getAll<HookContribution>(HookContribution)) c.apply(hooks);
    expect(hooks.beforeRun.taps.map((t) => t.name)).toEqual(['slurm-runner']);
  });

  it('fails to activate with a message naming a bad variable', () => {
    process.env['BIOIMAGEIT_SLURM_PARTITION'] = 'two words';
    const container = new Container();
    container.load(slurmRunnerModule);
    expect(() => registered(container)).toThrow(/BIOIMAGEIT_SLURM.*'partition'/);
  });

  it('leaves runs on other runners and non-file experiments alone in beforeRun', async () => {
    const container = new Container();
    container.load(slurmRunnerModule);
    const hooks = createKernelHooks();
    for (const c of container.getAll<HookContribution>(HookContribution)) c.apply(hooks);
    await expect(
      hooks.beforeRun.promise({ runId: 'r', toolId: 't', experimentUri: 'file:///nowhere/exp', jobCount: 1, runner: 'local' }),
    ).resolves.toBeUndefined();
    await expect(
      hooks.beforeRun.promise({ runId: 'r', toolId: 't', experimentUri: 'omero://host/project/1', jobCount: 1, runner: 'slurm' }),
    ).resolves.toBeUndefined();
    await expect(hooks.beforeRun.promise({ runId: 'r', toolId: 't', experimentUri: 'file:///nowhere/exp', jobCount: 1, runner: 'slurm' })).rejects.toThrow(
      "cannot write into '/nowhere/exp' to check that SLURM jobs see it",
    );
  });

  it('loads under tsx too, where no decorator metadata is emitted (explicit @inject everywhere)', () => {
    const module = fileURLToPath(new URL('./slurm-runner-module.ts', import.meta.url));
    const script = [
      "import { Container } from 'inversify';",
      "import { RunnerContribution } from '@bioimageit/core';",
      `const { default: m } = await import(${JSON.stringify(module)});`,
      'const c = new Container(); c.load(m);',
      'const ids = []; for (const x of c.getAll(RunnerContribution)) x.registerRunners({ register: (r) => (ids.push(r.id), { dispose() {} }) });',
      'console.log(ids.join(","));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(out.trim()).toBe('slurm');
  });
});

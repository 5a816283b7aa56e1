import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { defaultConfig, KernelConfig, RunnerContribution, type Runner } from '@bioimageit/core';
import condaRunnerModule, { condaRunnerModuleWith } from './conda-runner-module.js';
import { CondaRunner } from './conda-runner.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('conda-runner container module', () => {
  it('binds one runner contribution that registers the conda runner with the workspace environments folder', async () => {
    const container = new Container();
    container.bind(KernelConfig).toConstantValue(defaultConfig('/ws', 'tester'));
    await container.loadAsync(condaRunnerModule);
    const contributions = container.getAll<RunnerContribution>(RunnerContribution);
    expect(contributions).toHaveLength(1);
    const registered: Runner[] = [];
    contributions[0]?.registerRunners({ register: (r) => (registered.push(r), { dispose: () => undefined }) });
    expect(registered.map((r) => r.id)).toEqual(['conda']);
    expect((registered[0] as CondaRunner).envsDir).toBe(
      process.env['BIOIMAGEIT_CONDA_ENVS'] === undefined ? '/ws/.bioimageit/envs' : path.resolve('/ws', process.env['BIOIMAGEIT_CONDA_ENVS']),
    );
  });

  it('takes a bound CondaRunnerConfig over the variables and defaults', async () => {
    const container = new Container();
    container.bind(KernelConfig).toConstantValue(defaultConfig('/ws', 'tester'));
    await container.loadAsync(condaRunnerModuleWith({ envsDir: '/shared/envs', command: 'embedded', progress: () => undefined }));
    const registered: Runner[] = [];
    container.getAll<RunnerContribution>(RunnerContribution)[0]?.registerRunners({ register: (r) => (registered.push(r), { dispose: () => undefined }) });
    expect((registered[0] as CondaRunner).envsDir).toBe('/shared/envs');
  });

  it('activates from its manifest under tsx (no decorator metadata), with BIOIMAGEIT_CONDA_ENVS applied', async () => {
    const script = [
      "import { createKernel, defaultConfig } from '@bioimageit/core';",
      "const kernel = await createKernel({ config: { ...defaultConfig('/tmp/ws-tsx', 'tester'), plugins: ['@bioimageit/local-fs', '@bioimageit/conda-runner'] } });",
      "const runner = await kernel.runners.get('conda');",
      'console.log(JSON.stringify({ id: runner.id, envs: runner.envsDir, plugins: kernel.plugins().map((p) => [p.id, p.state]) }));',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: repo, env: { ...process.env, BIOIMAGEIT_CONDA_ENVS: 'my-envs' } },
        (e, stdout, stderr) => (e === null ? resolve(stdout) : reject(new Error(`${e.message}\n${stderr}`))),
      ),
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) as string) as { id: string; envs: string; plugins: [string, string][] };
    expect(result.id).toBe('conda');
    expect(result.envs).toBe('/tmp/ws-tsx/my-envs');
    expect(result.plugins).toContainEqual(['conda-runner', 'active']);
  });
});

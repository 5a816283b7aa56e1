import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors/area-errors.js';
import type { Runner } from '../extension-points/runner.js';
import { createKernelHooks } from '../hooks/kernel-hooks.js';
import { RunnerRegistry } from '../registry/registries.js';
import { createToolManifest } from '../tools/load-tool-manifest.js';
import { chooseRunner } from './choose-runner.js';

const fake = (id: string): Runner => ({ id, run: async () => ({ exitCode: 0, environment: { runner: id } }) });
const tool = (requirements: Record<string, unknown>) =>
  createToolManifest(
    { id: 'demo.tool', name: 'demo', version: '1.0.0', description: 'a tool', command: { argv: ['true'] }, requirements },
    '/tools/demo.tool.json',
  );

function registry(extra: (r: RunnerRegistry) => void = () => undefined): RunnerRegistry {
  const runners = new RunnerRegistry();
  runners.register(fake('local'));
  extra(runners);
  return runners;
}

describe('chooseRunner', () => {
  it('takes the runner the request names, then a resolveRunner tap, then the tool requirement', async () => {
    const hooks = createKernelHooks();
    const runners = registry((r) => {
      r.register(fake('docker'), 'docker-plugin');
      r.register(fake('slurm'), 'slurm-plugin');
    });
    const docker = tool({ docker: { image: 'lab/tool:1' } });
    expect((await chooseRunner(docker, runners, hooks, 'slurm')).runner.id).toBe('slurm');
    expect(await chooseRunner(docker, runners, hooks)).toEqual({ runner: expect.objectContaining({ id: 'docker' }) });
    hooks.resolveRunner.tapPromise('site', async () => runners.get('slurm'));
    expect((await chooseRunner(docker, runners, hooks)).runner.id).toBe('slurm');
  });

  it('runs a docker tool locally with a warning when no docker runner is installed', async () => {
    const choice = await chooseRunner(tool({ docker: { image: 'lab/tool:1' } }), registry(), createKernelHooks());
    expect(choice.runner.id).toBe('local');
    expect(choice.warning).toMatch(/declares docker image 'lab\/tool:1', but no 'docker' runner is installed \(add @bioimageit\/docker-runner/);
  });

  it('says why an installed runner could not start (a daemon that is down)', async () => {
    const runners = registry((r) =>
      r.declare('docker', 'docker-runner', async () => {
        throw new PluginError('ACTIVATION_FAILED', 'no Docker Engine answers at /run/docker.sock');
      }),
    );
    const choice = await chooseRunner(tool({ docker: { image: 'lab/tool:1' } }), runners, createKernelHooks());
    expect(choice.runner.id).toBe('local');
    expect(choice.warning).toContain("the 'docker' runner cannot start: no Docker Engine answers at /run/docker.sock");
  });

  it("keeps v1's quiet fallback for a bare conda environment name, but warns about conda packages", async () => {
    const hooks = createKernelHooks();
    expect(await chooseRunner(tool({ conda: { env: 'base' } }), registry(), hooks)).toEqual({ runner: expect.objectContaining({ id: 'local' }) });
    const packages = await chooseRunner(tool({ conda: { packages: ['numpy'], channels: ['conda-forge'] } }), registry(), hooks);
    expect(packages.warning).toContain("no 'conda' runner is installed (add @bioimageit/conda-runner");
  });
});

import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors/area-errors.js';
import type { Runner } from '../extension-points/runner.js';
import { createKernelHooks } from '../hooks/kernel-hooks.js';
import { RunnerRegistry } from '../registry/registries.js';
import { createToolManifest } from '../tools/load-tool-manifest.js';
import type { RunnerOffer } from '../plugin/runner-declaration.js';
import { chooseRunner } from './choose-runner.js';

const fake = (id: string): Runner => ({ id, run: async () => ({ exitCode: 0, environment: { runner: id } }) });
const tool = (requirements: Record<string, unknown>) =>
  createToolManifest(
    { id: 'demo.tool', name: 'demo', version: '1.0.0', description: 'a tool', command: { argv: ['true'] }, requirements },
    '/tools/demo.tool.json',
  );

/** The declarations the bundled runner plugins make in their package.json (`bioimageit.contributes.runners`). */
const DOCKER: RunnerOffer = {
  id: 'docker',
  satisfies: ['docker'],
  priority: 20,
  whenUnavailable: 'local',
  plugin: 'docker-runner',
  packageName: '@bioimageit/docker-runner',
};
const CONDA: RunnerOffer = {
  id: 'conda',
  satisfies: ['conda'],
  priority: 10,
  warnWhenMissing: ['conda.packages', 'conda.file'],
  whenUnavailable: 'local',
  plugin: 'conda-runner',
  packageName: '@bioimageit/conda-runner',
};
const NATIVE: RunnerOffer = {
  id: 'native',
  satisfies: ['native.plugin'],
  priority: 0,
  warnWhenMissing: [],
  whenUnavailable: 'fail',
  plugin: 'gpu-decon',
  packageName: '@bioimageit/gpu-decon',
};
const SLURM: RunnerOffer = {
  id: 'slurm',
  satisfies: [],
  priority: 0,
  whenUnavailable: 'local',
  plugin: 'slurm-runner',
  packageName: '@bioimageit/slurm-runner',
};

/** A registry with the local runner, what `extra` adds, and the bundled declarations as hints (known, not configured). */
function registry(extra: (r: RunnerRegistry) => void = () => undefined): RunnerRegistry {
  const runners = new RunnerRegistry();
  runners.register(fake('local'));
  extra(runners);
  for (const hint of [DOCKER, CONDA, NATIVE, SLURM]) if (!runners.offers().some((o) => o.id === hint.id)) runners.hint(hint);
  return runners;
}

describe('chooseRunner', () => {
  it('takes the runner the request names, then a resolveRunner tap, then the tool requirement', async () => {
    const hooks = createKernelHooks();
    const runners = registry((r) => {
      r.register(fake('docker'), 'docker-runner');
      r.offer(DOCKER);
      r.register(fake('slurm'), 'slurm-runner');
      r.offer(SLURM);
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
    expect(choice.warning).toBe(
      "tool 'demo.tool' declares requirement 'docker' (image 'lab/tool:1'), but no 'docker' runner is installed (add @bioimageit/docker-runner to \"plugins\"): it runs on this host with the programs on PATH (pass --runner to choose)",
    );
  });

  it('says why an installed runner could not start (a daemon that is down)', async () => {
    const runners = registry((r) => {
      r.declare('docker', 'docker-runner', async () => {
        throw new PluginError('ACTIVATION_FAILED', 'no Docker Engine answers at /run/docker.sock');
      });
      r.offer(DOCKER);
    });
    const choice = await chooseRunner(tool({ docker: { image: 'lab/tool:1' } }), runners, createKernelHooks());
    expect(choice.runner.id).toBe('local');
    expect(choice.warning).toContain("the 'docker' runner cannot start: no Docker Engine answers at /run/docker.sock");
  });

  it("keeps v1's quiet fallback for a bare conda environment name, but warns about conda packages", async () => {
    const hooks = createKernelHooks();
    expect(await chooseRunner(tool({ conda: { env: 'base' } }), registry(), hooks)).toEqual({ runner: expect.objectContaining({ id: 'local' }) });
    const packages = await chooseRunner(tool({ conda: { packages: ['numpy'], channels: ['conda-forge'] } }), registry(), hooks);
    expect(packages.warning).toBe(
      "tool 'demo.tool' declares requirement 'conda' (packages 'numpy', channels 'conda-forge'), but no 'conda' runner is installed (add @bioimageit/conda-runner to \"plugins\"): it runs on this host with the programs on PATH (pass --runner to choose)",
    );
  });

  it('prefers the higher priority among runners satisfying the tool, and skips one that cannot start', async () => {
    const both = tool({ docker: { image: 'lab/tool:1' }, conda: { packages: ['numpy'] } });
    const runners = registry((r) => {
      r.register(fake('conda'), 'conda-runner');
      r.offer(CONDA);
      r.register(fake('docker'), 'docker-runner');
      r.offer(DOCKER);
    });
    expect((await chooseRunner(both, runners, createKernelHooks())).runner.id).toBe('docker');
    const down = registry((r) => {
      r.register(fake('conda'), 'conda-runner');
      r.offer(CONDA);
      r.declare('docker', 'docker-runner', async () => {
        throw new PluginError('MISSING_REQUIREMENT', "plugin 'docker-runner' is unavailable");
      });
      r.offer(DOCKER);
    });
    expect(await chooseRunner(both, down, createKernelHooks())).toEqual({ runner: expect.objectContaining({ id: 'conda' }) });
  });

  it('runs a tool whose code a plugin provides on its runner, and fails with its fix when that runner cannot start', async () => {
    const decon = tool({ native: { plugin: 'gpu-decon' } });
    const installed = registry((r) => {
      r.register(fake('native'), 'gpu-decon');
      r.offer(NATIVE);
    });
    expect(await chooseRunner(decon, installed, createKernelHooks())).toEqual({ runner: expect.objectContaining({ id: 'native' }) });
    const broken = registry((r) => {
      r.declare('native', 'gpu-decon', async () => {
        throw new PluginError('MISSING_REQUIREMENT', 'libfftw3f is missing (install libfftw3-dev)');
      });
      r.offer(NATIVE);
    });
    await expect(chooseRunner(decon, broken, createKernelHooks())).rejects.toThrow('libfftw3f is missing (install libfftw3-dev)');
    // Host executables are the local runner's: quiet, with or without the plugin.
    const host = tool({ native: { executables: ['python3'] } });
    expect(await chooseRunner(host, installed, createKernelHooks())).toEqual({ runner: expect.objectContaining({ id: 'local' }) });
    expect(await chooseRunner(host, registry(), createKernelHooks())).toEqual({ runner: expect.objectContaining({ id: 'local' }) });
  });

  it('names no package for a requirement no known plugin satisfies', async () => {
    const bare = new RunnerRegistry();
    bare.register(fake('local'));
    const choice = await chooseRunner(tool({ docker: { image: 'lab/tool:1' } }), bare, createKernelHooks());
    expect(choice.runner.id).toBe('local');
    expect(choice.warning).toBe(
      "tool 'demo.tool' declares requirement 'docker' (image 'lab/tool:1'), but no configured plugin contributes a runner that satisfies 'docker' (add one to \"plugins\"): it runs on this host with the programs on PATH (pass --runner to choose)",
    );
  });
});

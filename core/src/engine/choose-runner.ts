import type { Runner } from '../extension-points/runner.js';
import type { KernelHooks } from '../hooks/kernel-hooks.js';
import type { RunnerRegistry } from '../registry/registries.js';
import type { ToolManifest } from '../tools/tool-manifest.js';

/** The runner chosen for a run, and why the tool's own requirement could not be honoured, if so. */
export interface RunnerChoice {
  readonly runner: Runner;
  /** Set when the tool declares a docker image or conda packages but runs on the host instead. */
  readonly warning?: string;
}

/**
 * The runner that executes a run's jobs:
 * 1. the runner the request names (RunnerError NO_RUNNER when none has that id);
 * 2. else the first `resolveRunner` tap that returns one;
 * 3. else the runner matching the tool's requirements, when one is installed and can start
 *    (`docker` for a docker image, `conda` for a conda environment);
 * 4. else `native` for a tool whose code a plugin provides in-process (`requirements.native.plugin`,
 *    gpu-decon), when that runner is declared (a plugin that cannot activate rejects with its fix);
 * 5. else `local`: the tool runs on this host with what is on PATH (how v1 wrappers declaring a
 *    conda `base` environment run where no conda runner is installed). Falling back from a docker
 *    image, conda packages or an environment file, or from an installed runner that cannot
 *    start (a daemon that is down), comes with a `warning` saying so and how to fix it; the
 *    engine reports it with the run's warnings.
 */
export async function chooseRunner(manifest: ToolManifest, runners: RunnerRegistry, hooks: KernelHooks, preferred?: string): Promise<RunnerChoice> {
  if (preferred !== undefined && preferred !== '') return { runner: await runners.get(preferred) };
  const requirements = manifest.requirements as Readonly<Record<string, unknown>>;
  const hooked = await hooks.resolveRunner.promise({ toolId: manifest.id, requirements });
  if (hooked !== undefined) return { runner: hooked };
  const reasons: string[] = [];
  for (const id of ['docker', 'conda'] as const) {
    if (manifest.requirements[id] === undefined) continue;
    if (!runners.has(id)) {
      if (id === 'docker' || needsCondaPackages(manifest)) reasons.push(`no '${id}' runner is installed (add @bioimageit/${id}-runner to "plugins")`);
      continue;
    }
    try {
      return { runner: await runners.get(id) };
    } catch (error) {
      reasons.push(`the '${id}' runner cannot start: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  if (manifest.requirements.native?.plugin !== undefined && runners.has('native')) return { runner: await runners.get('native') };
  const runner = await runners.get('local');
  if (reasons.length === 0) return { runner };
  const declared = manifest.requirements.docker !== undefined ? `docker image '${manifest.requirements.docker.image}'` : 'a conda environment';
  return {
    runner,
    warning: `tool '${manifest.id}' declares ${declared}, but ${reasons.join('; ')}: it runs on this host with the programs on PATH (pass --runner to choose)`,
  };
}

function needsCondaPackages(manifest: ToolManifest): boolean {
  const conda = manifest.requirements.conda;
  return conda !== undefined && ((conda.packages?.length ?? 0) > 0 || conda.file !== undefined);
}

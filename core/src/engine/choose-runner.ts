import type { Runner } from '../extension-points/runner.js';
import type { KernelHooks } from '../hooks/kernel-hooks.js';
import type { RunnerRegistry } from '../registry/registries.js';
import type { ToolManifest } from '../tools/tool-manifest.js';

/**
 * The runner that executes a run's jobs:
 * 1. the runner the request names (RunnerError NO_RUNNER when none has that id);
 * 2. else the first `resolveRunner` tap that returns one;
 * 3. else the runner matching the tool's requirements, when one is installed and can start
 *    (`docker` for a docker image, `conda` for a conda environment);
 * 4. else `native` for a tool provided by a plugin's in-process code (`requirements.native.plugin`),
 *    when that runner is installed (gpu-decon);
 * 5. else `local`: the tool runs on this host with what is on PATH (how v1 wrappers declaring a
 *    conda `base` environment run where no conda runner is installed).
 */
export async function chooseRunner(manifest: ToolManifest, runners: RunnerRegistry, hooks: KernelHooks, preferred?: string): Promise<Runner> {
  if (preferred !== undefined && preferred !== '') return runners.get(preferred);
  const requirements = manifest.requirements as Readonly<Record<string, unknown>>;
  const hooked = await hooks.resolveRunner.promise({ toolId: manifest.id, requirements });
  if (hooked !== undefined) return hooked;
  for (const id of ['docker', 'conda'] as const) {
    if (manifest.requirements[id] === undefined || !runners.has(id)) continue;
    try {
      return await runners.get(id);
    } catch {
      // declared but unavailable here (missing capability): try the next one
    }
  }
  if (manifest.requirements.native?.plugin !== undefined && runners.has('native')) return runners.get('native');
  return runners.get('local');
}

import type { Runner } from '../extension-points/runner.js';
import type { KernelHooks } from '../hooks/kernel-hooks.js';
import type { RunnerOffer } from '../plugin/runner-declaration.js';
import type { RunnerRegistry } from '../registry/registries.js';
import type { ToolManifest, ToolRequirements } from '../tools/tool-manifest.js';
import { isRecord } from '../util/is-record.js';

/** The runner chosen for a run, and why the tool's own requirement could not be honoured, if so. */
export interface RunnerChoice {
  readonly runner: Runner;
  /** Set when the tool declares a requirement a runner should honour but runs on the host instead. */
  readonly warning?: string;
}

/** Id of the built-in runner every kernel has. */
const LOCAL = 'local';

/**
 * Requirement keys the built-in local runner honours by itself (the tool manifest's word for
 * executables on the host's PATH): a tool setting only these falls back to it quietly.
 */
const HOST_REQUIREMENTS: readonly (keyof ToolRequirements)[] = ['native'];

/**
 * The runner that executes a run's jobs:
 * 1. the runner the request names (RunnerError NO_RUNNER when none has that id);
 * 2. else the first `resolveRunner` tap that returns one;
 * 3. else, among the runners configured plugins declare (`contributes.runners[]` of their
 *    manifests, see RunnerDeclaration) whose `satisfies` matches a requirement the tool sets, the
 *    first that can start, by descending `priority` then configuration order; one declared
 *    `whenUnavailable: "fail"` that cannot start fails the run with its error (and its fix);
 * 4. else `local`: the tool runs on this host with what is on PATH. Falling back comes with a
 *    `warning` saying why and how to fix it when a satisfying runner could not start (a daemon
 *    that is down), when a known but unconfigured plugin would satisfy a requirement (named by
 *    its package, unless its declaration's `warnWhenMissing` does not list what the tool sets:
 *    a v1 wrapper's bare conda environment name runs quietly on the host), or when no known
 *    plugin satisfies a requirement the local runner does not honour either. The engine reports
 *    it with the run's warnings.
 */
export async function chooseRunner(manifest: ToolManifest, runners: RunnerRegistry, hooks: KernelHooks, preferred?: string): Promise<RunnerChoice> {
  if (preferred !== undefined && preferred !== '') return { runner: await runners.get(preferred) };
  const requirements = manifest.requirements as Readonly<Record<string, unknown>>;
  const hooked = await hooks.resolveRunner.promise({ toolId: manifest.id, requirements });
  if (hooked !== undefined) return { runner: hooked };
  const sets = (path: string): boolean => isSet(valueAt(requirements, path));
  const reasons: string[] = [];
  const candidates = [...runners.offers()].filter((offer) => offer.satisfies.some(sets)).sort((a, b) => b.priority - a.priority);
  for (const offer of candidates) {
    try {
      return { runner: await runners.get(offer.id) };
    } catch (error) {
      if (offer.whenUnavailable === 'fail') throw error;
      reasons.push(`the '${offer.id}' runner cannot start: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const declared: string[] = [];
  for (const key of Object.keys(requirements).filter(sets)) {
    const about = (offer: RunnerOffer) => offer.satisfies.some((path) => topKey(path) === key);
    if (runners.offers().some(about)) {
      // A configured runner handles this key: it was tried above, or the tool sets none of the fields it needs.
      if (candidates.some(about)) declared.push(describe(key, requirements[key]));
      continue;
    }
    const hints = runners.hints().filter(about);
    const missing = hints.filter((hint) => (hint.warnWhenMissing ?? hint.satisfies).some((path) => topKey(path) === key && sets(path)));
    for (const hint of missing) reasons.push(`no '${hint.id}' runner is installed (add ${hint.packageName} to "plugins")`);
    if (missing.length > 0) declared.push(describe(key, requirements[key]));
    if (hints.length > 0 || (HOST_REQUIREMENTS as readonly string[]).includes(key)) continue;
    reasons.push(`no configured plugin contributes a runner that satisfies '${key}' (add one to "plugins")`);
    declared.push(describe(key, requirements[key]));
  }
  const runner = await runners.get(LOCAL);
  if (reasons.length === 0) return { runner };
  return {
    runner,
    warning: `tool '${manifest.id}' declares ${declared.join(' and ')}, but ${reasons.join('; ')}: it runs on this host with the programs on PATH (pass --runner to choose)`,
  };
}

/** The value at `key` or `key.field` of the tool's requirements. */
function valueAt(requirements: Readonly<Record<string, unknown>>, path: string): unknown {
  const [key, field] = path.split('.', 2) as [string, string | undefined];
  const value = requirements[key];
  if (field === undefined) return value;
  return isRecord(value) ? value[field] : undefined;
}

/** Set: present, and not an empty string, array or null. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function topKey(path: string): string {
  return path.split('.', 1)[0] as string;
}

/** `requirement 'docker' (image 'lab/tool:1')`: the key with its text fields, for warnings. */
function describe(key: string, value: unknown): string {
  const fields = isRecord(value)
    ? Object.entries(value)
        .filter(([, v]) => typeof v === 'string' || (Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'string')))
        .map(([k, v]) => `${k} '${Array.isArray(v) ? v.join(' ') : (v as string)}'`)
    : [];
  return `requirement '${key}'${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`;
}

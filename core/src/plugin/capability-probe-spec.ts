import type { PluginError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';

/**
 * One test of a capability probe; exactly one of `env`, `file`, `onPath`:
 * - `{ "env": "DOCKER_HOST", "matches": "^(?!unix://)" }`: the variable is set (non-empty) and,
 *   when `matches` is given, matches that regular expression;
 * - `{ "file": "/dev/nvidia0" }`: the path exists. With `fromEnv`, the path is the variable's
 *   value less `prefix` when the variable is set (and starts with `prefix`; otherwise the test
 *   fails), `file` when it is unset: `{ "file": "/var/run/docker.sock", "fromEnv": { "name":
 *   "DOCKER_HOST", "prefix": "unix://" } }`;
 * - `{ "onPath": "sbatch" }`: an executable of that name is in a folder of PATH.
 *
 * Variables are read from the environment with the config's plugin `settings` filled in.
 */
export type ProbeCheck =
  | { readonly env: string; readonly matches?: string }
  | { readonly file: string; readonly fromEnv?: { readonly name: string; readonly prefix?: string } }
  | { readonly onPath: string };

/**
 * How to probe a capability cheaply, without running plugin code or contacting a daemon (the
 * `probes` of a plugin's manifest, by capability name): available when any check passes.
 *
 * ```json
 * "probes": {
 *   "slurm": { "anyOf": [{ "onPath": "sbatch" }], "reason": "sbatch is not on PATH", "fix": "install slurm-client" },
 *   "cuda": { "anyOf": [{ "file": "/dev/nvidia0" }, { "onPath": "nvidia-smi" }], "reason": "no NVIDIA GPU found (/dev/nvidia0 or nvidia-smi)" }
 * }
 * ```
 * `reason` says what is missing, `{file}` in it standing for the last path a `file` check looked
 * at; `fix` says what to do. The plugin is then reported unavailable with
 * `requires CAPABILITY: REASON (FIX)`.
 */
export interface CapabilityProbeSpec {
  readonly anyOf: readonly ProbeCheck[];
  readonly reason: string;
  readonly fix?: string;
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates the manifest's `probes`; every key must be a capability the plugin `requires`. */
export function validateCapabilityProbes(
  raw: unknown,
  requires: readonly string[],
  bad: (field: string, why: string) => PluginError,
): Readonly<Record<string, CapabilityProbeSpec>> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw bad('probes', 'must be an object of probes by capability name ({"NAME": {"anyOf": [{"onPath": "COMMAND"}], "reason": "..."}})');
  const probes: Record<string, CapabilityProbeSpec> = {};
  for (const [capability, spec] of Object.entries(raw)) {
    const at = `probes.${capability}`;
    if (!requires.includes(capability)) throw bad(at, `probes '${capability}', which is not listed in 'requires'`);
    if (!isRecord(spec)) throw bad(at, 'must be an object with "anyOf", "reason" and optionally "fix"');
    for (const key of Object.keys(spec)) if (!['anyOf', 'reason', 'fix'].includes(key)) throw bad(`${at}.${key}`, 'is not a probe field (anyOf, reason, fix)');
    const { anyOf, reason, fix } = spec;
    if (!Array.isArray(anyOf) || anyOf.length === 0) throw bad(`${at}.anyOf`, 'must be a non-empty array of checks ({"env"}, {"file"} or {"onPath"})');
    if (typeof reason !== 'string' || reason.trim() === '') throw bad(`${at}.reason`, 'must be a non-empty string saying what is missing');
    if (fix !== undefined && (typeof fix !== 'string' || fix.trim() === '')) throw bad(`${at}.fix`, 'must be a non-empty string saying how to fix it');
    probes[capability] = {
      anyOf: anyOf.map((check: unknown, i) => validateCheck(check, `${at}.anyOf[${i}]`, bad)),
      reason,
      ...(fix !== undefined && { fix }),
    };
  }
  return probes;
}

function validateCheck(raw: unknown, at: string, bad: (field: string, why: string) => PluginError): ProbeCheck {
  const kinds = isRecord(raw) ? ['env', 'file', 'onPath'].filter((k) => raw[k] !== undefined) : [];
  if (!isRecord(raw) || kinds.length !== 1) throw bad(at, 'must have exactly one of "env", "file" or "onPath"');
  const allowed: Record<string, string[]> = { env: ['env', 'matches'], file: ['file', 'fromEnv'], onPath: ['onPath'] };
  const kind = kinds[0] as string;
  for (const key of Object.keys(raw)) if (!(allowed[kind] ?? []).includes(key)) throw bad(`${at}.${key}`, `is not a field of an "${kind}" check`);
  const text = (field: string, value: unknown, why: string): string => {
    if (typeof value !== 'string' || value === '') throw bad(`${at}.${field}`, why);
    return value;
  };
  if (kind === 'env') {
    const env = text('env', raw['env'], 'must be an environment variable name');
    if (!VARIABLE.test(env)) throw bad(`${at}.env`, 'must be an environment variable name');
    if (raw['matches'] === undefined) return { env };
    const matches = text('matches', raw['matches'], 'must be a regular expression');
    try {
      new RegExp(matches);
    } catch (error) {
      throw bad(`${at}.matches`, `is not a valid regular expression: ${(error as Error).message}`);
    }
    return { env, matches };
  }
  if (kind === 'onPath') return { onPath: text('onPath', raw['onPath'], 'must be an executable name') };
  const file = text('file', raw['file'], 'must be a path');
  const fromEnv = raw['fromEnv'];
  if (fromEnv === undefined) return { file };
  if (!isRecord(fromEnv) || typeof fromEnv['name'] !== 'string' || !VARIABLE.test(fromEnv['name'])) {
    throw bad(`${at}.fromEnv`, 'must be {"name": VARIABLE, "prefix"?: string}');
  }
  const prefix = fromEnv['prefix'];
  if (prefix !== undefined && typeof prefix !== 'string') throw bad(`${at}.fromEnv.prefix`, 'must be a string');
  return { file, fromEnv: { name: fromEnv['name'], ...(prefix !== undefined && { prefix }) } };
}

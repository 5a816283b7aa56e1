import type { PluginError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';

/**
 * A runner a plugin contributes, as its manifest declares it (`bioimageit.contributes.runners[]`),
 * so the engine can choose it from a tool's requirements without running plugin code or knowing
 * the runner by name.
 *
 * ```json
 * { "id": "docker", "satisfies": ["docker"], "priority": 20 }
 * { "id": "conda", "satisfies": ["conda"], "priority": 10, "warnWhenMissing": ["conda.packages", "conda.file"] }
 * { "id": "native", "satisfies": ["native.plugin"], "warnWhenMissing": [], "whenUnavailable": "fail" }
 * ```
 *
 * How the engine chooses (see chooseRunner): the runner a request names; else a `resolveRunner`
 * tap; else, among the declared runners that satisfy a requirement the tool sets, the one with the
 * highest `priority` (ties: the order of `plugins` in the config, then of this list) that can
 * start; else the built-in local runner.
 */
export interface RunnerDeclaration {
  /** The runner's id (what `--runner` names). */
  readonly id: string;
  /**
   * Requirement paths of a tool manifest (`requirements` in its JSON) this runner honours: a key
   * (`docker`, `apptainer`) matches when the tool sets it, a `key.field` path (`native.plugin`)
   * when the tool sets that field. Default: none (the runner runs only when named or resolved by
   * a hook, as a cluster runner).
   */
  readonly satisfies: readonly string[];
  /** Higher is tried first among runners satisfying the same tool. Default 0. */
  readonly priority: number;
  /**
   * Requirement paths whose presence makes falling back to the local runner, when this runner's
   * plugin is not configured, come with a warning naming the plugin's package. Default: the
   * `satisfies` list; `[]` falls back quietly (a v1 wrapper's bare conda environment name).
   */
  readonly warnWhenMissing?: readonly string[];
  /**
   * What happens when the runner is configured but cannot start (its capability is missing, its
   * daemon is down): `local` (default) runs the tool on the host with a warning saying why;
   * `fail` fails the run with the runner's error and its fix (the tool's code lives in the plugin).
   */
  readonly whenUnavailable: 'local' | 'fail';
}

/** A runner declaration with the plugin that makes it. */
export interface RunnerOffer extends RunnerDeclaration {
  /** Plugin id. */
  readonly plugin: string;
  /** npm package name of the plugin (what to add to the config's `plugins`). */
  readonly packageName: string;
}

const RUNNER_ID = /^[a-z][a-z0-9+.-]*$/;
/** A requirement key, or `key.field`. */
const REQUIREMENT_PATH = /^[a-z][a-zA-Z0-9_-]*(?:\.[a-zA-Z][a-zA-Z0-9_-]*)?$/;

/** Validates one `contributes.runners[i]` entry; `bad` builds the PluginError naming the plugin and the field. */
export function validateRunnerDeclaration(raw: unknown, field: string, bad: (field: string, why: string) => PluginError): RunnerDeclaration {
  if (!isRecord(raw)) throw bad(field, 'must be an object such as {"id": "RUNNER", "satisfies": ["REQUIREMENT"]}');
  const known = new Set(['id', 'satisfies', 'priority', 'warnWhenMissing', 'whenUnavailable']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(`${field}.${key}`, `is not a runner field (${[...known].join(', ')})`);
  const { id, satisfies, priority, warnWhenMissing, whenUnavailable } = raw;
  if (typeof id !== 'string' || !RUNNER_ID.test(id)) throw bad(`${field}.id`, 'must be a lower-case identifier');
  const paths = (value: unknown, name: string): string[] => {
    if (!Array.isArray(value))
      throw bad(`${field}.${name}`, "must be an array of tool requirement keys or key.field paths (keys of a tool manifest's 'requirements')");
    value.forEach((p: unknown, i) => {
      if (typeof p !== 'string' || !REQUIREMENT_PATH.test(p))
        throw bad(`${field}.${name}[${i}]`, 'must be a tool requirement key or key.field path (lower-case key, then an optional .field)');
    });
    return value as string[];
  };
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) throw bad(`${field}.priority`, 'must be a number');
  if (whenUnavailable !== undefined && whenUnavailable !== 'local' && whenUnavailable !== 'fail')
    throw bad(`${field}.whenUnavailable`, "must be 'local' or 'fail'");
  return {
    id,
    satisfies: satisfies === undefined ? [] : paths(satisfies, 'satisfies'),
    priority: priority ?? 0,
    ...(warnWhenMissing !== undefined && { warnWhenMissing: paths(warnWhenMissing, 'warnWhenMissing') }),
    whenUnavailable: whenUnavailable ?? 'local',
  };
}

import { ToolError } from '../errors/area-errors.js';
import type { Runner, RunnerOptionSpec, RunnerOptionsSchema, RunnerOptionValue } from '../extension-points/runner.js';
import type { RunnerRegistry } from '../registry/registries.js';

/** Per-run runner option values as a request gives them: typed (REST) or as typed on a command line (strings). */
export type RunnerOptionInput = Readonly<Record<string, unknown>>;

/** Text values: one line, no control characters (they could end a line of a job script). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const TRUE = /^(true|yes|on|1)$/i;
const FALSE = /^(false|no|off|0)$/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Checks a run's `runnerOptions` against what `runner` declares ({@link Runner.runOptions}) and
 * returns them typed, in the order given: strings from a command line become numbers or booleans
 * where the option says so. Called by the job engine once the runner is chosen, before anything
 * runs or is written; callers that start runs in the background (a pipeline) may call it first.
 *
 * @throws ToolError BAD_PARAMETER naming the runner and the option: an option the runner does not
 *   declare (listing those it accepts), a value of the wrong type, outside `enum`, `pattern` or the
 *   bounds, or text that is empty or holds control characters (a line break).
 */
export function validateRunnerOptions(runner: Runner, given: RunnerOptionInput | undefined): Record<string, RunnerOptionValue> {
  const schema: RunnerOptionsSchema = runner.runOptions ?? {};
  const accepted = Object.keys(schema);
  const out: [string, RunnerOptionValue][] = [];
  for (const [name, value] of Object.entries(given ?? {})) {
    const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (spec === undefined) {
      const which = accepted.length === 0 ? 'it accepts none' : `it accepts: ${accepted.join(', ')}`;
      throw bad(runner.id, name, `runner '${runner.id}' has no option '${name}' (${which})`, accepted);
    }
    out.push([name, typed(runner.id, name, spec, value, accepted)]);
  }
  return Object.fromEntries(out);
}

/** The options as a run record keeps them: values of options declared `secret` read `***`. */
export function recordedRunnerOptions(runner: Runner, values: Readonly<Record<string, RunnerOptionValue>>): Record<string, RunnerOptionValue> {
  const schema = runner.runOptions ?? {};
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, schema[name]?.secret === true ? '***' : value]));
}

function typed(runnerId: string, name: string, spec: RunnerOptionSpec, value: unknown, accepted: readonly string[]): RunnerOptionValue {
  const fail = (why: string): never => {
    throw bad(runnerId, name, `runner '${runnerId}' option '${name}' ${why}`, accepted);
  };
  switch (spec.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && TRUE.test(value.trim())) return true;
      if (typeof value === 'string' && FALSE.test(value.trim())) return false;
      return fail(`must be true or false, not ${shown(value)}`);
    }
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER.test(value.trim()) ? Number(value.trim()) : undefined;
      if (n === undefined || !Number.isFinite(n)) return fail(`must be a${spec.type === 'integer' ? 'n integer' : ' number'}, not ${shown(value)}`);
      if (spec.type === 'integer' && !Number.isInteger(n)) return fail(`must be an integer, not ${shown(value)}`);
      if (spec.minimum !== undefined && n < spec.minimum) return fail(`must be at least ${spec.minimum}, not ${n}`);
      if (spec.maximum !== undefined && n > spec.maximum) return fail(`must be at most ${spec.maximum}, not ${n}`);
      return n;
    }
    case 'string': {
      if (typeof value !== 'string') return fail(`must be a string, not ${shown(value)}`);
      if (value === '') return fail('must not be empty');
      if (CONTROL.test(value)) return fail('must be one line of text without control characters');
      if (spec.enum !== undefined && !spec.enum.includes(value)) return fail(`must be one of ${spec.enum.join(', ')}, not ${shown(value)}`);
      if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value)) return fail(`must match ${spec.pattern}, not ${shown(value)}`);
      return value;
    }
    default:
      return fail('has a type this kernel does not know');
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}

function bad(runner: string, option: string, message: string, accepted: readonly string[]): ToolError {
  return new ToolError('BAD_PARAMETER', message, { details: { runner, option, accepted } });
}

/** A runner as `bioimageit runners` and `GET /api/runners` show it. */
export interface RunnerDescription {
  readonly id: string;
  /** The plugin that contributes it (`core` for the built-in local runner). */
  readonly plugin: string;
  /** False when its plugin cannot start here (no daemon, no scheduler); `reason` says why. */
  readonly available: boolean;
  readonly reason?: string;
  /** The options a run may set (empty when it takes none or cannot start). */
  readonly options: RunnerOptionsSchema;
}

/**
 * Every runner the kernel has, by id, with the options each accepts per run. Reading a runner's
 * options starts its plugin (as a run on it would); a plugin that cannot start is listed as
 * unavailable with the first line of its error instead of failing the listing.
 */
export async function describeRunners(runners: RunnerRegistry): Promise<RunnerDescription[]> {
  return Promise.all(
    runners.keys().map(async (id): Promise<RunnerDescription> => {
      const plugin = runners.ownerOf(id) ?? 'core';
      try {
        const runner = await runners.get(id);
        return { id, plugin, available: true, options: runner.runOptions ?? {} };
      } catch (error) {
        return { id, plugin, available: false, reason: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '', options: {} };
      }
    }),
  );
}

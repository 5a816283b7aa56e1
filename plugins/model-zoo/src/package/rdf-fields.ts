import { ToolError } from '@bioimageit/core';

/**
 * Reading an untyped YAML tree field by field while collecting every problem, each named by its
 * JSON-path-like field (`inputs[0].axes[2].size.step`), so that one error can report them all.
 */

/** Keys and indices from the document root to a field. */
export type FieldPath = readonly (string | number)[];

/** One problem of an rdf: the field it concerns and why. `line` (1-based) when known. */
export interface RdfProblem {
  readonly field: string;
  readonly why: string;
  readonly line?: number;
}

/** `['inputs', 0, 'axes', 2]` → `inputs[0].axes[2]`. */
export function fieldName(path: FieldPath): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${String(key)}]` : out === '' ? key : `.${key}`;
  return out;
}

/** The problems found in one rdf, with an optional lookup of the line a field starts on. */
export class RdfProblems {
  private readonly list: RdfProblem[] = [];

  constructor(private readonly lineOf: (path: FieldPath) => number | undefined = () => undefined) {}

  /** Records that the field at `path` is wrong. */
  add(path: FieldPath, why: string): void {
    const line = this.lineOf(path);
    this.list.push(line === undefined ? { field: fieldName(path), why } : { field: fieldName(path), why, line });
  }

  /** The problems so far. */
  get all(): readonly RdfProblem[] {
    return this.list;
  }

  /**
   * Throws `ToolError('BAD_MANIFEST')` when any problem was recorded: `"FILE: FIELD: why"` (one
   * problem) or `"FILE: N problems: FIELD: why; FIELD: why"`, with `details` `{ file, field, line?,
   * problems }` (`field` and `line` of the first problem).
   */
  throwIfAny(file: string): void {
    if (this.list.length === 0) return;
    throw rdfError(file, this.list);
  }
}

/** The `BAD_MANIFEST` error of {@link RdfProblems.throwIfAny} for `problems` (at least one). */
export function rdfError(file: string, problems: readonly RdfProblem[]): ToolError {
  const first = problems[0]!;
  const one = (p: RdfProblem): string => (p.field === '' ? p.why : `${p.field}: ${p.why}`);
  const message = problems.length === 1 ? `${file}: ${one(first)}` : `${file}: ${String(problems.length)} problems: ${problems.map(one).join('; ')}`;
  const details: Record<string, unknown> = { file, field: first.field, problems };
  if (first.line !== undefined) details['line'] = first.line;
  return new ToolError('BAD_MANIFEST', message, { details });
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A position in the parsed YAML tree. Accessors return `undefined` after recording a problem when
 * the value is missing (required accessors) or has the wrong type; optional accessors stay silent
 * about a missing value.
 */
export class RdfCursor {
  constructor(
    /** The value here (`undefined` when the field is absent). */
    readonly value: unknown,
    /** Where this value is. */
    readonly path: FieldPath,
    private readonly problems: RdfProblems,
  ) {}

  /** True when the field is given (not absent, not `null`). */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  /** The field `key` of this mapping (absent when this is not a mapping). */
  field(key: string): RdfCursor {
    return new RdfCursor(isMapping(this.value) ? this.value[key] : undefined, [...this.path, key], this.problems);
  }

  /** Records a problem about this field; returns `undefined` for convenience. */
  problem(why: string): undefined {
    this.problems.add(this.path, why);
    return undefined;
  }

  /** True when this is a mapping; records a problem (when given but not one) otherwise. */
  mapping(required = false): boolean {
    if (isMapping(this.value)) return true;
    if (this.present) this.problem(`must be a mapping, not ${describe(this.value)}`);
    else if (required) this.problem('missing');
    return false;
  }

  /** The keys of this mapping with their cursors (none when this is not a mapping). */
  entries(required = false): [string, RdfCursor][] {
    if (!this.mapping(required)) return [];
    return Object.keys(this.value as Record<string, unknown>).map((k) => [k, this.field(k)]);
  }

  /** The items of this list (none when absent or not a list; a problem when required or not a list). */
  items(required = false): RdfCursor[] {
    if (Array.isArray(this.value)) return this.value.map((v, i) => new RdfCursor(v, [...this.path, i], this.problems));
    if (this.present) this.problem(`must be a list, not ${describe(this.value)}`);
    else if (required) this.problem('missing');
    return [];
  }

  /** A required string (numbers are accepted and written as strings: YAML reads `1.0` as a number). */
  string(): string | undefined {
    if (!this.present) return this.problem('missing');
    return this.optString();
  }

  /** An optional string. */
  optString(): string | undefined {
    if (!this.present) return undefined;
    if (typeof this.value === 'string') return this.value;
    if (typeof this.value === 'number') return String(this.value);
    return this.problem(`must be a string, not ${describe(this.value)}`);
  }

  /** A list of strings (empty when absent). */
  strings(required = false): string[] {
    const out: string[] = [];
    for (const item of this.items(required)) {
      const s = item.string();
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** A required finite number, optionally bounded (`min` inclusive, `above` exclusive). */
  number(bounds: { min?: number; above?: number } = {}): number | undefined {
    if (!this.present) return this.problem('missing');
    return this.optNumber(bounds);
  }

  /** An optional finite number, optionally bounded. */
  optNumber(bounds: { min?: number; above?: number } = {}): number | undefined {
    if (!this.present) return undefined;
    const v = this.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.problem(`must be a number, not ${describe(v)}`);
    if (bounds.min !== undefined && v < bounds.min) return this.problem(`must be at least ${String(bounds.min)}, not ${String(v)}`);
    if (bounds.above !== undefined && v <= bounds.above) return this.problem(`must be greater than ${String(bounds.above)}, not ${String(v)}`);
    return v;
  }

  /** A required integer, optionally bounded. */
  integer(bounds: { min?: number } = {}): number | undefined {
    if (!this.present) return this.problem('missing');
    return this.optInteger(bounds);
  }

  /** An optional integer, optionally bounded. */
  optInteger(bounds: { min?: number } = {}): number | undefined {
    if (!this.present) return undefined;
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) return this.problem(`must be an integer, not ${describe(this.value)}`);
    return this.optNumber(bounds);
  }
}

/** A short description of a YAML value for messages. */
export function describe(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

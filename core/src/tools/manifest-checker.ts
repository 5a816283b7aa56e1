/**
 * A small collector of validation problems keyed by JSON path (`inputs[2].type`), used by the
 * hand-written tool manifest validator. Each check records a problem and returns undefined
 * instead of throwing, so one pass reports everything wrong with a file.
 */

/** One problem found in a manifest: where (`inputs[2].type`, `(root)` for the whole file) and what. */
export interface ManifestProblem {
  readonly path: string;
  readonly message: string;
}

type Json = Record<string, unknown>;

/** What a string member must look like; `shape` describes `pattern` in messages. */
interface StringRule {
  readonly required?: boolean;
  readonly nonEmpty?: boolean;
  readonly pattern?: RegExp;
  readonly shape?: string;
}

/** What a number member must look like. */
interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly exclusiveMin?: boolean;
}

/** Collects problems while reading a JSON value; see {@link ManifestProblem}. */
export class ManifestChecker {
  readonly problems: ManifestProblem[] = [];

  /** Records a problem at `path`. */
  add(path: string, message: string): void {
    this.problems.push({ path: path === '' ? '(root)' : path, message });
  }

  /** The value as a plain object, or undefined (recording a problem unless `optional` and absent). */
  object(value: unknown, path: string, optional = false): Json | undefined {
    if (value === undefined && optional) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.add(path, `expected an object, got ${describe(value)}`);
    return undefined;
  }

  /** The value as an array, or undefined (recording a problem unless `optional` and absent). */
  array(value: unknown, path: string, optional = false): unknown[] | undefined {
    if (value === undefined && optional) return undefined;
    if (Array.isArray(value)) return value;
    this.add(path, `expected an array, got ${describe(value)}`);
    return undefined;
  }

  /** Records every key of `object` not in `allowed`. */
  knownKeys(object: Json, path: string, allowed: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) this.add(at(path, key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  /** A string member; `pattern` with its human description when the value has a shape. */
  string(object: Json, key: string, path: string, options: StringRule = {}): string | undefined {
    const value = object[key];
    const where = at(path, key);
    if (value === undefined) {
      if (options.required === true) this.add(where, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') return this.wrong(where, 'a string', value);
    if (options.nonEmpty === true && value.trim() === '') return this.wrong(where, 'a non-empty string', value);
    if (options.pattern !== undefined && !options.pattern.test(value)) return this.wrong(where, options.shape ?? `a string matching ${options.pattern}`, value);
    return value;
  }

  /** A finite number member, optionally an integer and with an exclusive or inclusive lower bound. */
  number(object: Json, key: string, path: string, options: NumberRule = {}): number | undefined {
    const value = object[key];
    const where = at(path, key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.wrong(where, 'a number', value);
    if (options.integer === true && !Number.isInteger(value)) return this.wrong(where, 'an integer', value);
    const { min, exclusiveMin } = options;
    if (min !== undefined && (exclusiveMin === true ? value <= min : value < min)) {
      return this.wrong(where, `a number ${exclusiveMin === true ? '>' : '>='} ${min}`, value);
    }
    return value;
  }

  /** A boolean member. */
  boolean(object: Json, key: string, path: string): boolean | undefined {
    const value = object[key];
    if (value === undefined || typeof value === 'boolean') return value;
    return this.wrong(at(path, key), 'true or false', value);
  }

  /** A member that must be one of `allowed`. */
  oneOf<T extends string>(object: Json, key: string, path: string, allowed: readonly T[], required = false): T | undefined {
    const value = object[key];
    const where = at(path, key);
    if (value === undefined) {
      if (required) this.add(where, `is required (one of ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.add(where, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
    return undefined;
  }

  /** An array of strings member. */
  strings(object: Json, key: string, path: string): string[] | undefined {
    const list = this.array(object[key], at(path, key), true);
    if (list === undefined) return undefined;
    list.forEach((item, k) => {
      if (typeof item !== 'string' || item === '') this.wrong(index(at(path, key), k), 'a non-empty string', item);
    });
    return list.filter((item): item is string => typeof item === 'string');
  }

  private wrong(path: string, expected: string, value: unknown): undefined {
    this.add(path, `expected ${expected}, got ${describe(value)}`);
    return undefined;
  }
}

/** The path of member `key` below `path`. */
export function at(path: string, key: string): string {
  const member = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  if (path === '') return member;
  return member.startsWith('"') ? `${path}[${member}]` : `${path}.${member}`;
}

/** The path of element `k` of the array at `path`. */
export function index(path: string, k: number): string {
  return `${path}[${k}]`;
}

/** A short rendering of a JSON value for messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

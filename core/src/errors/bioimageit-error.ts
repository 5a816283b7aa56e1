/**
 * The single base error of BioImageIT. Every error the kernel or a plugin throws on purpose is a
 * subclass with a closed set of string codes; callers branch on `code`, never on message text.
 * The CLI prints `message` (one line naming the file, item or plugin involved) and `--json`
 * consumers read `toJSON()`.
 */
export type ErrorArea = 'storage' | 'runner' | 'tool' | 'query' | 'plugin' | 'format' | 'config' | 'hook' | 'api';

export interface ErrorOptions<D extends Record<string, unknown> = Record<string, unknown>> {
  /** The lower-level error this one explains. */
  readonly cause?: unknown;
  /** Structured facts about the failure (paths, ids, columns), serialized by toJSON(). */
  readonly details?: D;
}

export abstract class BioImageItError<C extends string = string> extends Error {
  /** Which part of the system raised the error. */
  abstract readonly area: ErrorArea;
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  override get name(): string {
    return this.constructor.name;
  }

  toJSON(): { name: string; area: ErrorArea; code: C; message: string; details: Readonly<Record<string, unknown>>; cause?: unknown } {
    const json: ReturnType<BioImageItError<C>['toJSON']> = {
      name: this.name,
      area: this.area,
      code: this.code,
      message: this.message,
      details: this.details,
    };
    if (this.cause !== undefined) json.cause = serializeCause(this.cause);
    return json;
  }
}

function serializeCause(cause: unknown): unknown {
  if (cause instanceof BioImageItError) return cause.toJSON();
  if (cause instanceof Error) return { name: cause.name, message: cause.message };
  return String(cause);
}

/** True when `value` is any BioImageIT error (optionally of one area). */
export function isBioImageItError(value: unknown, area?: ErrorArea): value is BioImageItError {
  return value instanceof BioImageItError && (area === undefined || value.area === area);
}

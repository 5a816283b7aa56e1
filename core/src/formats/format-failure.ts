import { FormatError } from '../errors/area-errors.js';

/** A FormatError `CORRUPT` that names the file and says what is wrong with it. */
export function corrupt(path: string, what: string, details: Record<string, unknown> = {}): FormatError {
  return new FormatError('CORRUPT', `${path}: ${what}`, { details: { path, ...details } });
}

/** A FormatError `UNSUPPORTED` for a valid file or pixel array using a feature this code lacks. */
export function unsupported(path: string, what: string, details: Record<string, unknown> = {}): FormatError {
  return new FormatError('UNSUPPORTED', `${path}: ${what}`, { details: { path, ...details } });
}

/** A FormatError `IO` wrapping a file-system failure while reading or writing `path`. */
export function ioFailure(path: string, action: string, cause: unknown): FormatError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new FormatError('IO', `${path}: cannot ${action}: ${why}`, { cause, details: { path } });
}

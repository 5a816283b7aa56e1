import { BioImageItError, RunnerError } from '@bioimageit/core';

/**
 * Hides credentials in channel URLs wherever they would leave the runner (errors, progress,
 * environment records, run provenance): the user and password of `https://user:password@host/`
 * and anaconda.org tokens (`/t/<token>/`) become three stars. Everything else is left as it is.
 */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1***@').replace(/\/t\/[^/\s]+\//g, '/t/***/');
}

/** {@link redactText} over every string inside a JSON-serializable value. */
export function redactJson<T>(value: T): T {
  return JSON.parse(redactText(JSON.stringify(value))) as T;
}

/** The same error with credentials hidden in its message and details (its cause, which may hold them, is dropped). */
export function redactError(error: unknown): unknown {
  if (!(error instanceof BioImageItError)) return error instanceof Error ? new Error(redactText(error.message)) : error;
  const message = redactText(error.message);
  const details = redactJson(error.details);
  if (message === error.message && JSON.stringify(details) === JSON.stringify(error.details)) return error;
  return error instanceof RunnerError ? new RunnerError(error.code, message, { details }) : error;
}

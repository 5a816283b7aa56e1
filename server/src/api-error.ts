import { BioImageItError, isBioImageItError, type ErrorOptions } from '@bioimageit/core';
import { redactDeep } from './http/path-redactor.js';

/** Codes of {@link ApiError}: what was wrong with an HTTP request itself. */
export type ApiErrorCode =
  | 'BAD_REQUEST' // malformed JSON, a body or parameter that breaks its schema
  | 'UNAUTHORIZED' // no or wrong token
  | 'FORBIDDEN' // a path that leaves its folder, a Host header that is not this server
  | 'NOT_FOUND' // no such route, experiment, item, run or job
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT' // the resource is not in a state that allows the request (cancel a finished run)
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE' // a body that is not application/json
  | 'UNAVAILABLE'; // a server-side component (the PNG renderer) cannot run here

/** An HTTP request error; its code decides the status (see {@link httpStatusOf}). */
export class ApiError extends BioImageItError<ApiErrorCode> {
  readonly area = 'api' as const;
  constructor(code: ApiErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

const API_STATUS: Readonly<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
};

/**
 * The HTTP status for any error a handler throws: ApiError by code; the kernel's errors by area and
 * code (unknown experiment/item/tool/run → 404, bad query or parameters → 400, a path escaping its
 * folder → 403, a name taken → 409, an item file that is corrupt or declares too many pixels →
 * 422, an operation the experiment's backend lacks → 501, a runner or plugin that cannot start here → 503); anything else is an internal error (500).
 */
export function httpStatusOf(err: unknown): number {
  if (err instanceof ApiError) return API_STATUS[err.code];
  if (!isBioImageItError(err)) return 500;
  switch (err.area) {
    case 'query':
      return 400;
    case 'storage':
      if (err.code === 'NOT_FOUND') return 404;
      if (err.code === 'PATH_ESCAPE') return 403;
      if (err.code === 'EXISTS') return 409;
      if (err.code === 'INVALID') return 400;
      if (err.code === 'LOCKED') return 503;
      // the experiment's backend cannot do this (e.g. an integrity check of an OMERO project)
      if (err.code === 'UNSUPPORTED') return 501;
      return 500;
    case 'tool':
      if (err.code === 'NOT_FOUND') return 404;
      if (err.code === 'NOTHING_TO_RUN') return 422;
      return err.code === 'BAD_PARAMETER' ? 400 : 500;
    case 'config':
      return err.code === 'INVALID' ? 400 : 500;
    case 'runner':
      // a runner that cannot start here (no Docker daemon, no SLURM): the server lacks it, the request is fine
      if (err.code === 'UNAVAILABLE') return 503;
      return err.code === 'NO_RUNNER' ? 400 : 500;
    case 'format':
      if (err.code === 'UNSUPPORTED' || err.code === 'UNKNOWN_FORMAT') return 400;
      // the item's file cannot be decoded, or declares more pixels than a read may take: not a server fault
      return err.code === 'CORRUPT' || err.code === 'TOO_LARGE' ? 422 : 500;
    case 'plugin':
      // the plugin of what the request asked for (a runner) lacks what it requires on this machine
      return err.code === 'MISSING_REQUIREMENT' ? 503 : 500;
    default:
      return 500;
  }
}

/** The JSON body of an error response: `{ error: { code, area, message, details? } }`. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly area: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> };
}

/**
 * The error body for `err`. BioImageIT errors keep their message and details (they name the item,
 * file or query column), every string of them passed through `redact` (the server replaces its
 * folders by experiment names, its tool folders by `<tools>` and any other absolute path by its
 * last segment: see PathRedactor); other errors become `internal error` without their message
 * or stack, so that nothing about the server's internals leaks to clients.
 */
export function errorBody(err: unknown, redact: (text: string) => string = (t) => t): ErrorBody {
  if (isBioImageItError(err)) {
    const details = Object.keys(err.details).length > 0 ? redactDeep(err.details, redact) : undefined;
    return { error: { code: err.code, area: err.area, message: redact(err.message), ...(details !== undefined && { details }) } };
  }
  return { error: { code: 'INTERNAL', area: 'api', message: 'internal error (see the server log)' } };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonSchema } from './json-schema.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A query parameter: its name, schema (strings are coerced to the schema's type) and help. */
export interface QueryParameter {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly description: string;
  readonly required?: boolean;
}

/** A request header an operation reads (documented; the handler reads it from the raw request). */
export interface HeaderParameter {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly description: string;
}

/** One documented response of an operation. JSON unless `contentType` says otherwise. */
export interface ResponseSpec {
  readonly description: string;
  readonly schema?: JsonSchema;
  /** `image/png`, `text/plain`, `text/event-stream`; default `application/json`. */
  readonly contentType?: string;
}

/** What a handler receives: decoded path parameters, typed query parameters, the validated body. */
export interface ApiRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly raw: IncomingMessage;
  readonly response: ServerResponse;
}

/** What a handler answers: JSON, bytes of a content type, or `streamed` when it wrote the response itself (SSE). */
export type ApiReply =
  | { readonly status?: number; readonly json: unknown }
  | { readonly status?: number; readonly bytes: Uint8Array; readonly contentType: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly streamed: true };

/**
 * One REST operation: the route the dispatcher matches and, from the same object, the operation the
 * OpenAPI document publishes. Path templates use OpenAPI's `{name}` segments; every path parameter
 * is a non-empty string decoded from the URL.
 */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  /** Group in the document (`experiments`, `items`, `runs` ...). */
  readonly tag: string;
  readonly description?: string;
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly query?: readonly QueryParameter[];
  /** Request headers the operation reads besides the usual ones (documented as header parameters). */
  readonly headers?: readonly HeaderParameter[];
  /** Schema of the JSON request body; a route without one takes no body. */
  readonly body?: JsonSchema;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  handle(request: ApiRequest): Promise<ApiReply>;
}

/** The names of a path template's `{parameters}`, in order. */
export function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
}

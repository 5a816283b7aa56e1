import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorBody, httpStatusOf } from '../api-error.js';
import type { ApiReply, ApiRoute, QueryParameter } from './api-route.js';
import { validateJson, type JsonSchema, type SchemaResolver } from './json-schema.js';
import { readJsonBody } from './read-json-body.js';
import type { RouteTable } from './route-table.js';

/** Where the dispatcher reports internal (500) errors; the client only sees `internal error`. */
export type ErrorLogger = (message: string, error: unknown) => void;

/**
 * Serves one API request: matches the route, coerces and validates query parameters and the JSON
 * body against the route's published schemas (BAD_REQUEST listing every problem), runs the
 * handler and writes its reply with a `Server-Timing: app;dur=MS` header (time spent in the
 * server before the reply is written). Every error becomes a JSON error body with the status of
 * {@link httpStatusOf}.
 */
export async function dispatchApi(
  table: RouteTable,
  resolve: SchemaResolver,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  log: ErrorLogger,
  redact: (text: string) => string = (t) => t,
): Promise<void> {
  const started = performance.now();
  try {
    const { route, params } = table.match(request.method ?? 'GET', url.pathname);
    const query = parseQuery(route, url.searchParams, resolve);
    let body: unknown;
    if (route.body !== undefined) {
      body = await readJsonBody(request);
      const problems = validateJson(body, route.body, 'body', resolve);
      if (problems.length > 0) throw new ApiError('BAD_REQUEST', `invalid request body: ${problems.join('; ')}`, { details: { problems } });
    }
    const reply = await route.handle({ params, query, body, raw: request, response });
    if (!response.headersSent) response.setHeader('Server-Timing', `app;dur=${(performance.now() - started).toFixed(2)}`);
    writeReply(response, reply);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status >= 500 && !(error instanceof ApiError)) log(`${request.method} ${url.pathname} failed`, error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    sendJson(
      response,
      status,
      errorBody(error, redact),
      error instanceof ApiError && error.code === 'METHOD_NOT_ALLOWED' ? { Allow: String((error.details['allowed'] as string[]).join(', ')) } : {},
    );
  }
}

/** Writes `value` as JSON with the given status. */
export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

function writeReply(response: ServerResponse, reply: ApiReply): void {
  if ('streamed' in reply) return;
  if ('json' in reply) return sendJson(response, reply.status ?? 200, reply.json);
  response.writeHead(reply.status ?? 200, {
    'Content-Type': reply.contentType,
    'Content-Length': reply.bytes.byteLength,
    'Cache-Control': 'no-store',
    ...reply.headers,
  });
  response.end(reply.bytes);
}

function parseQuery(route: ApiRoute, search: URLSearchParams, resolve: SchemaResolver): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const parameter of route.query ?? []) {
    const text = search.get(parameter.name);
    if (text === null) {
      if (parameter.required === true) problems.push(`query.${parameter.name}: is required`);
      else if (parameter.schema.default !== undefined) values[parameter.name] = parameter.schema.default;
      continue;
    }
    const value = coerce(text, parameter);
    problems.push(...validateJson(value, parameter.schema, `query.${parameter.name}`, resolve));
    values[parameter.name] = value;
  }
  if (problems.length > 0) throw new ApiError('BAD_REQUEST', `invalid query parameters: ${problems.join('; ')}`, { details: { problems } });
  return values;
}

function coerce(text: string, parameter: QueryParameter): unknown {
  const type = (parameter.schema as JsonSchema).type;
  if (type === 'integer' || type === 'number') return /^[+-]?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text;
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

import { expect } from 'vitest';
import { resolveApiSchema } from '../api/api-schemas.js';
import type { OpenApiDocument } from '../api/openapi-document.js';
import { validateJson, type JsonSchema } from '../http/json-schema.js';

/** One server-sent event: its id, type and parsed JSON data. */
export interface StreamEvent {
  readonly id?: string;
  readonly type: string;
  readonly data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Options of {@link ContractClient.events}. */
export interface EventStreamOptions {
  readonly timeoutMs?: number;
  /** Sent as the `Last-Event-ID` header (a client resuming a dropped stream). */
  readonly lastEventId?: string;
  /** Called with every raw block of the stream (comments and id-only blocks too). */
  readonly onBlock?: (block: string) => void;
}

/** A response as the tests see it, with its JSON body parsed when it is JSON. */
export interface CheckedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly bytes: Uint8Array;
  readonly operationId: string;
}

/**
 * fetch() against a running server that checks every answer against the OpenAPI document: the
 * request must match a documented operation, the status must be documented for it, the content
 * type must be the documented one, and a JSON body must satisfy the documented schema. Records
 * which operations were exercised (see {@link missing}).
 */
export class ContractClient {
  readonly exercised = new Set<string>();
  private readonly templates: { method: string; pattern: RegExp; path: string }[];

  constructor(
    private readonly base: string,
    private readonly document: OpenApiDocument,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {
    this.templates = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp('^' + path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$'),
      })),
    );
  }

  async call(method: string, path: string, body?: unknown, init: { rawBody?: string; contentType?: string } = {}): Promise<CheckedResponse> {
    const pathname = new URL(path, 'http://x').pathname;
    const template = this.templates.find((t) => t.method === method && t.pattern.test(pathname));
    if (template === undefined) throw new Error(`${method} ${pathname} matches no documented operation`);
    const operation = this.document.paths[template.path]?.[method.toLowerCase()];
    if (operation === undefined) throw new Error(`no operation for ${method} ${template.path}`);
    const payload = init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(this.base + path, {
      method,
      headers: { ...this.headers, ...(payload !== undefined && { 'Content-Type': init.contentType ?? 'application/json' }) },
      ...(payload !== undefined && { body: payload }),
    });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const documented = operation.responses[String(response.status)];
    expect(
      documented,
      `${method} ${path} answered ${response.status}, which ${operation.operationId} does not document: ${Buffer.from(bytes).toString('utf8').slice(0, 300)}`,
    ).toBeDefined();
    const [type, spec] = Object.entries(documented?.content ?? {})[0] ?? [];
    const actualType = (response.headers.get('content-type') ?? '').split(';')[0];
    expect(actualType, `${operation.operationId} ${response.status} content type`).toBe(type);
    let json: unknown;
    if (actualType === 'application/json') {
      json = JSON.parse(Buffer.from(bytes).toString('utf8'));
      const schema = (spec as { schema?: JsonSchema } | undefined)?.schema;
      if (schema !== undefined)
        expect(validateJson(json, schema, 'response', resolveApiSchema), `${operation.operationId} ${response.status} body`).toEqual([]);
    }
    this.exercised.add(operation.operationId);
    return { status: response.status, headers: response.headers, json, bytes, operationId: operation.operationId };
  }

  /**
   * Opens an event stream (a documented `text/event-stream` operation) and collects its events until
   * `until` returns true for the events so far (or the timeout passes: then it throws); then it
   * drops the connection.
   */
  async events(path: string, until: (events: readonly StreamEvent[]) => boolean, options: number | EventStreamOptions = {}): Promise<StreamEvent[]> {
    const { timeoutMs = 30_000, lastEventId, onBlock } = typeof options === 'number' ? { timeoutMs: options } : options;
    const pathname = new URL(path, 'http://x').pathname;
    const template = this.templates.find((t) => t.method === 'GET' && t.pattern.test(pathname));
    const operation = template === undefined ? undefined : this.document.paths[template.path]?.['get'];
    if (operation === undefined) throw new Error(`GET ${pathname} matches no documented operation`);
    expect(Object.keys(operation.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const events: StreamEvent[] = [];
    try {
      const headers = { ...this.headers, ...(lastEventId !== undefined && { 'Last-Event-ID': lastEventId }) };
      const response = await fetch(this.base + path, { headers, signal: controller.signal });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      this.exercised.add(operation.operationId);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      while (!until(events)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          onBlock?.(block);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type !== undefined && data !== undefined) events.push({ ...(id !== undefined && { id }), type, data: JSON.parse(data) });
        }
      }
      return events;
    } catch (error) {
      if (controller.signal.aborted)
        throw new Error(`no matching event within ${timeoutMs} ms (got ${JSON.stringify(events).slice(0, 500)})`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /** Documented operations no call has exercised yet. */
  missing(): string[] {
    return Object.values(this.document.paths)
      .flatMap((ops) => Object.values(ops).map((o) => o.operationId))
      .filter((id) => !this.exercised.has(id))
      .sort();
  }
}

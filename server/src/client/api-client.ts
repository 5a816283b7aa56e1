import { API_OPERATIONS, type ApiOperations, type ErrorBody } from './api-types.js';

/** An operation of the API, by its operationId (`listExperiments`, `startRun`...). */
export type OperationId = keyof ApiOperations;

/** What an operation takes: `params` (path), `query` and `body`, as the OpenAPI document says. */
export type OperationInput<K extends OperationId> = ApiOperations[K]['input'];

/** What an operation answers on success: its JSON body typed, text, bytes, or the raw Response of an event stream. */
export type OperationResponse<K extends OperationId> = ApiOperations[K]['response'];

/** The input argument: optional when the operation needs nothing. */
type InputArgs<K extends OperationId> = Record<string, never> extends OperationInput<K> ? [input?: OperationInput<K>] : [input: OperationInput<K>];

/** Options of {@link BioImageItClient}. */
export interface BioImageItClientOptions {
  /** The server's address (`http://127.0.0.1:8765`, with or without the trailing slash). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer TOKEN` when the server requires one. */
  readonly token?: string;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/**
 * An answer that was not a success: the HTTP status and the API's error body (`code`, `area`,
 * `message`, `details`), or for a body that is not the API's JSON error, its text as the message.
 */
export class ApiRequestError extends Error {
  constructor(
    readonly operation: OperationId,
    readonly status: number,
    readonly body: ErrorBody['error'],
  ) {
    super(`${operation} answered ${status}: ${body.message}`);
    this.name = 'ApiRequestError';
  }

  /** The API's error code (`NOT_FOUND`, `BAD_REQUEST`, `NO_RUNNER`...). */
  get code(): string {
    return this.body.code;
  }
}

/**
 * A typed client of the BioImageIT REST API over `fetch` (browsers, Node.js 18+, Deno): every
 * operation by its operationId, its input and answer typed from the OpenAPI document the server
 * publishes (the types are generated from it: src/client/api-types.ts).
 *
 * ```ts
 * const api = new BioImageItClient({ baseUrl: 'http://127.0.0.1:8765' });
 * const experiments = await api.call('listExperiments');
 * const run = await api.call('startRun', { params: { experiment: experiments[0].id }, body: { tool: 't', inputs: [{ name: 'i' }], outputDataset: 'out', runner: 'slurm' } });
 * ```
 *
 * `call` rejects with {@link ApiRequestError} for any answer that is not a success, and with
 * fetch's own error when the server cannot be reached.
 */
export class BioImageItClient {
  private readonly base: string;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: BioImageItClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Sends operation `operation` and resolves to its typed answer. */
  async call<K extends OperationId>(operation: K, ...[input]: InputArgs<K>): Promise<OperationResponse<K>> {
    const response = await this.send(operation, input);
    const kind = API_OPERATIONS[operation].response;
    if (kind === 'stream') return response as OperationResponse<K>;
    if (kind === 'text') return (await response.text()) as OperationResponse<K>;
    if (kind === 'bytes') return new Uint8Array(await response.arrayBuffer()) as OperationResponse<K>;
    return (await response.json()) as OperationResponse<K>;
  }

  /** The URL an operation is sent to: the path with its parameters filled in, and the query. */
  url<K extends OperationId>(operation: K, ...[input]: InputArgs<K>): string {
    const { path } = API_OPERATIONS[operation];
    const given = (input ?? {}) as { params?: Record<string, string>; query?: Record<string, unknown> };
    const filled = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
      const value = given.params?.[name];
      if (value === undefined || value === '') throw new TypeError(`${operation}: path parameter '${name}' is missing`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(given.query ?? {})) if (value !== undefined) search.set(name, String(value));
    const query = search.toString();
    return `${this.base}${filled}${query === '' ? '' : `?${query}`}`;
  }

  private async send(operation: OperationId, input: unknown): Promise<Response> {
    const { method } = API_OPERATIONS[operation];
    const body = (input as { body?: unknown } | undefined)?.body;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.token !== undefined) headers['Authorization'] = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const url = (this.url as (op: OperationId, input: unknown) => string)(operation, input);
    const response = await this.fetcher(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    if (response.ok) return response;
    const text = await response.text();
    let error: ErrorBody['error'] = { code: 'HTTP_' + response.status, area: 'api', message: text.slice(0, 500) || response.statusText };
    try {
      const parsed = JSON.parse(text) as Partial<ErrorBody>;
      if (parsed.error !== undefined && typeof parsed.error.message === 'string') error = parsed.error;
    } catch {
      // not the API's JSON error body: its text is the message
    }
    throw new ApiRequestError(operation, response.status, error);
  }
}

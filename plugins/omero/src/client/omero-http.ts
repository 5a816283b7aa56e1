import { Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { CookieJar } from 'tough-cookie';
import { StorageError } from '@bioimageit/core';
import type { Redactor } from './redact.js';
import { DEFAULT_RETRY_POLICY, isRetryableNetworkError, isRetryableStatus, retryDelay, type RetryPolicy } from './retry-policy.js';

/** One HTTP request of the client. `path` is relative to the server base (`/api/v0/m/projects/`). */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly query?: URLSearchParams;
  /** Form fields (`application/x-www-form-urlencoded`), JSON, or multipart form data. */
  readonly body?: { form: URLSearchParams } | { json: unknown } | { multipart: FormData };
  /** May be sent twice without harm (default: GET only). Non-idempotent writes are retried only when never sent. */
  readonly idempotent?: boolean;
  /** Stream the body instead of buffering it (downloads). */
  readonly stream?: boolean;
  /** Tries after the first for this request (default: the policy's). */
  readonly retries?: number;
}

/** A reply of any status (the caller decides what a 403 or 404 means). */
export interface HttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Buffered body (empty when streamed). */
  readonly body: Buffer;
  readonly stream?: Readable;
}

/** Settings of the transport: server, TLS, timeouts, retries. */
export interface OmeroHttpOptions {
  /** Server base URL, with any prefix (`https://omero.example.org`, `http://127.0.0.1:4080/omero`). */
  readonly baseUrl: string;
  readonly retry?: Partial<RetryPolicy>;
  /** Extra CA certificates (PEM) to trust; TLS verification stays on. */
  readonly ca?: string | Buffer;
  /** Turns TLS verification off (default false; only for test servers with self-signed certificates). */
  readonly insecureTls?: boolean;
  /** Longest silence one try may wait through (socket idle time; default 120 s). */
  readonly timeoutMs?: number;
  /**
   * Total time one request may take, all its tries and their pauses together (default 120 s;
   * `BIOIMAGEIT_OMERO_TIMEOUT`): a server that accepts and never answers fails after this, not
   * after a per-try timeout times the retries. A reply that is arriving is never cut.
   */
  readonly deadlineMs?: number;
  readonly redactor: Redactor;
  /** Sleep between retries (injectable in tests). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Default of {@link OmeroHttpOptions.deadlineMs} and {@link OmeroHttpOptions.timeoutMs}. */
export const DEFAULT_OMERO_TIMEOUT_MS = 120_000;

/**
 * Transport of the OMERO client: one axios instance with a tough-cookie jar (csrftoken,
 * sessionid), no redirect following (a 302 to the login page must not pass for a 200), the
 * `X-Requested-With: XMLHttpRequest` header (expired sessions answer 403, not an HTML redirect),
 * `X-CSRFToken` and, over HTTPS, `Referer` on unsafe requests, and retries with backoff for
 * idempotent requests on 5xx and network errors. Never logs; failures are StorageError IO with
 * secrets removed.
 */
export class OmeroHttp {
  readonly jar = new CookieJar();
  readonly base: URL;
  private readonly axios: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  /** CSRF token to send on unsafe requests (set by the session). */
  csrfToken?: string;
  /** Requests sent, retries included (for tests and benchmarks). */
  sent = 0;

  constructor(private readonly options: OmeroHttpOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new StorageError('INVALID', `OMERO.web URL ${options.baseUrl} must start with https:// or http://`, { details: { server: options.baseUrl } });
    }
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? sleepMs;
    this.axios = axios.create({
      maxRedirects: 0,
      validateStatus: () => true,
      httpsAgent: new HttpsAgent({ keepAlive: true, rejectUnauthorized: options.insecureTls !== true, ...(options.ca !== undefined && { ca: options.ca }) }),
      httpAgent: new HttpAgent({ keepAlive: true }),
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      proxy: false,
    });
  }

  /** `scheme://host[:port]` of the server. */
  get origin(): string {
    return this.base.origin;
  }

  /** Absolute URL of a server path (prefix kept). */
  url(path: string, query?: URLSearchParams): string {
    const u = new URL(path.replace(/^\//, ''), this.base);
    if (query !== undefined && [...query.keys()].length > 0) u.search = query.toString();
    return u.toString();
  }

  /** Sends `req`, retrying per the policy; resolves with any HTTP status, rejects on network failure. */
  async send(req: HttpRequest): Promise<HttpReply> {
    const idempotent = req.idempotent ?? req.method === 'GET';
    const started = Date.now();
    const deadline = this.options.deadlineMs ?? DEFAULT_OMERO_TIMEOUT_MS;
    const perTry = this.options.timeoutMs ?? DEFAULT_OMERO_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      let reply: HttpReply | undefined;
      let failure: { code?: string; message: string } | undefined;
      try {
        reply = await this.once(req, Math.max(1, Math.min(perTry, deadline - (Date.now() - started))));
      } catch (err) {
        const e = err as { code?: string; message?: string };
        failure = { ...(e.code !== undefined && { code: e.code }), message: e.message ?? String(err) };
      }
      const delay = retryDelay(this.policy, attempt + 1);
      const retry =
        attempt < (req.retries ?? this.policy.retries) &&
        Date.now() - started + delay < deadline &&
        (reply ? idempotent && isRetryableStatus(reply.status) : isRetryableNetworkError(failure?.code, idempotent));
      if (!retry) {
        if (reply) return reply;
        const silent = failure?.code === 'ECONNABORTED' || failure?.code === 'ETIMEDOUT';
        const why = silent
          ? `no answer within ${Number(((Date.now() - started) / 1000).toFixed(1))} s over ${attempt + 1} tr${attempt === 0 ? 'y' : 'ies'} (the limit is BIOIMAGEIT_OMERO_TIMEOUT, ${Number((deadline / 1000).toFixed(1))} s)`
          : `${failure?.code ?? ''} ${failure?.message ?? ''}`;
        throw new StorageError(
          'IO',
          this.options.redactor.clean(`OMERO.web ${this.origin}: ${req.method} ${req.path} failed: ${why}`.replace(/\s+/g, ' ').trim()),
          {
            details: { server: this.origin, method: req.method, path: req.path, ...(failure?.code !== undefined && { network: failure.code }) },
          },
        );
      }
      reply?.stream?.destroy();
      await this.sleep(delay);
    }
  }

  /** One try; `timeoutMs` is the longest silence it waits through. */
  private async once(req: HttpRequest, timeoutMs: number): Promise<HttpReply> {
    const url = this.url(req.path, req.query);
    const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json, */*' };
    const cookies = await this.jar.getCookieString(url);
    if (cookies !== '') headers['Cookie'] = cookies;
    if (req.method !== 'GET') {
      if (this.csrfToken !== undefined) headers['X-CSRFToken'] = this.csrfToken;
      if (this.base.protocol === 'https:') headers['Referer'] = this.url('/webclient/');
    }
    let data: unknown;
    if (req.body && 'form' in req.body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      data = req.body.form.toString();
    } else if (req.body && 'json' in req.body) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(req.body.json);
    } else if (req.body && 'multipart' in req.body) {
      data = req.body.multipart;
    }
    this.sent++;
    const res: AxiosResponse = await this.axios.request({
      url,
      method: req.method,
      headers,
      data,
      timeout: timeoutMs,
      responseType: req.stream ? 'stream' : 'arraybuffer',
    });
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && v !== null) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    const setCookie = res.headers['set-cookie'];
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : []) await this.jar.setCookie(c, url, { ignoreError: true });
    if (req.stream) return { status: res.status, headers: flat, body: Buffer.alloc(0), stream: res.data as Readable };
    return { status: res.status, headers: flat, body: Buffer.from(res.data as ArrayBuffer) };
  }

  /** A streamed reply that failed, with its (small) error body read, so it can be told apart; others unchanged. */
  async readFailure(reply: HttpReply): Promise<HttpReply> {
    if (reply.stream === undefined || (reply.status >= 200 && reply.status < 300)) return reply;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of reply.stream) {
      if (size < 65_536) chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { status: reply.status, headers: reply.headers, body: Buffer.concat(chunks) };
  }

  /** The value of cookie `name` for the server, if the jar holds one. */
  async cookie(name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(this.url('/'));
    return cookies.find((c) => c.key === name)?.value;
  }

  /** Drops every cookie (a fresh login starts clean). */
  async clearCookies(): Promise<void> {
    await this.jar.removeAllCookies();
  }
}

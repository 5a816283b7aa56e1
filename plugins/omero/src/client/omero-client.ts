import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { mapConcurrent, StorageError } from '@bioimageit/core';
import { discoverApi, type ApiPaths, type IceServer } from './api-discovery.js';
import { KeepAlive } from './keep-alive.js';
import { isNotLoggedIn, replyError, replyMessage } from './omero-failure.js';
import { OmeroHttp, type HttpReply, type HttpRequest, type OmeroHttpOptions } from './omero-http.js';
import { Redactor } from './redact.js';

/** A user name and password, asked for only when a login is needed and kept in memory only. */
export interface OmeroCredentials {
  readonly username: string;
  readonly password: string;
}

/** What OMERO.web's login answers: the session's user, group and key (`sessionUuid`). */
export interface EventContext {
  readonly sessionUuid: string;
  readonly userId: number;
  readonly userName: string;
  readonly groupId: number;
  readonly groupName?: string;
  readonly memberOfGroups: readonly number[];
}

/** Settings of a client: the transport's, plus how to log in, which group, how much in flight. */
export interface OmeroClientOptions extends Omit<OmeroHttpOptions, 'redactor'> {
  /** Called when a login is needed (first use, expired session); undefined = none available. */
  readonly credentials?: () => Promise<OmeroCredentials | undefined>;
  /** An OMERO session key to join instead of logging in (from the 0600 session file). */
  readonly sessionKey?: string;
  /** Group to list and create in (default: all readable groups for lists, the user's default group for creation). */
  readonly group?: number;
  /** Page requests in flight at once while listing (default 4). */
  readonly concurrency?: number;
  /** Page size asked for; the server caps it at its `maxLimit` (500) and `meta` says what it used. */
  readonly pageSize?: number;
  /** Keep-alive ping interval while connected (default 60 s; 0 turns pings off). */
  readonly keepAliveMs?: number;
  /** Send the login as a JSON body (only omero-web >= 5.29 accepts it; default: form-encoded). */
  readonly jsonLogin?: boolean;
  readonly redactor?: Redactor;
}

/** `meta` of an `/api/v0` list. */
interface ListMeta {
  readonly offset: number;
  readonly limit: number;
  readonly maxLimit: number;
  readonly totalCount: number;
}

const LOGIN_REQUIRED = /^\/(api\/v0\/m\/|webclient\/(?!login\/)|webgateway\/)/;

/**
 * HTTP client of OMERO.web (JSON API + webclient/webgateway endpoints): discovery (`/api/` →
 * `/api/v0/`), CSRF token and cookie, login (form body) with the session cookie, transparent
 * re-login once per expiry (concurrent requests share it), pagination at the server's cap with
 * bounded concurrency, group context. Every failure is a StorageError naming the server and the
 * request, with the password, session key and tokens removed.
 */
export class OmeroClient {
  readonly http: OmeroHttp;
  readonly redactor: Redactor;
  /** The logged-in session, once connected. */
  context?: EventContext;
  private paths?: ApiPaths;
  private server?: IceServer;
  private connecting?: Promise<EventContext>;
  private generation = 0;
  private sessionKey?: string;
  private keepAlive?: KeepAlive;

  constructor(private readonly options: OmeroClientOptions) {
    this.redactor = options.redactor ?? new Redactor();
    this.http = new OmeroHttp({ ...options, redactor: this.redactor });
    this.sessionKey = options.sessionKey;
    this.redactor.add(options.sessionKey);
  }

  get origin(): string {
    return this.http.origin;
  }

  /** Group given in the options, else the session's default group once connected. */
  get group(): number | undefined {
    return this.options.group ?? this.context?.groupId;
  }

  /** Logs in with `credentials` (or the configured supplier); rejects INVALID with the server's reason. */
  async login(credentials?: OmeroCredentials): Promise<EventContext> {
    const creds = credentials ?? (await this.options.credentials?.());
    if (creds === undefined) {
      throw new StorageError(
        'INVALID',
        `not logged in to OMERO.web ${this.origin}: run 'bioimageit omero login ${this.origin}' or set BIOIMAGEIT_OMERO_USER and BIOIMAGEIT_OMERO_PASSWORD`,
        { details: { server: this.origin, reason: 'login' } },
      );
    }
    this.redactor.add(creds.password);
    return this.connectWith(creds, `as ${creds.username}`);
  }

  /** Joins an existing OMERO session by its key (used as user name and password, as OMERO allows). */
  async joinSession(key: string): Promise<EventContext> {
    this.redactor.add(key);
    try {
      return await this.connectWith({ username: key, password: key }, 'with the saved session key');
    } catch (err) {
      if (err instanceof StorageError && err.details['reason'] === 'login') {
        throw new StorageError(
          'INVALID',
          `${err.message} (the saved session has probably expired: run 'bioimageit omero login ${this.origin}' again, or set BIOIMAGEIT_OMERO_USER and BIOIMAGEIT_OMERO_PASSWORD)`,
          { details: err.details },
        );
      }
      throw err;
    }
  }

  /**
   * Connects once: the saved session key first (unless `renewing` with credentials at hand: an
   * expired session's key is dead), then credentials. Concurrent callers share one attempt.
   */
  connect(renewing = false): Promise<EventContext> {
    if (this.context) return Promise.resolve(this.context);
    this.connecting ??= (async () => {
      try {
        const creds = await this.options.credentials?.();
        if (this.sessionKey !== undefined && !(renewing && creds !== undefined)) {
          try {
            return await this.joinSession(this.sessionKey);
          } catch (err) {
            if (creds === undefined) throw err;
          }
        }
        return await this.login(creds);
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private async connectWith(creds: OmeroCredentials, how: string): Promise<EventContext> {
    await this.discover();
    const token = await this.get<{ data: string }>(this.paths!.token);
    this.http.csrfToken = token.data;
    this.redactor.add(token.data);
    this.redactor.add(await this.http.cookie('csrftoken'));
    const fields = { server: String(this.server?.id ?? 1), username: creds.username, password: creds.password };
    const req: HttpRequest = {
      method: 'POST',
      path: this.paths!.login,
      body: this.options.jsonLogin ? { json: { ...fields, server: Number(fields.server) } } : { form: new URLSearchParams(fields) },
    };
    const reply = await this.http.send(req);
    if (reply.status !== 200) {
      const said = replyMessage(reply);
      if (reply.status === 403 && !/^CSRF/.test(said)) {
        throw new StorageError('INVALID', this.redactor.clean(`OMERO login to ${this.origin} ${how} failed: ${said || 'refused (403)'}`), {
          details: { server: this.origin, reason: 'login', status: 403 },
        });
      }
      throw replyError(this.origin, req, reply, this.redactor, `OMERO login to ${this.origin} ${how}`);
    }
    const context = (JSON.parse(reply.body.toString('utf8')) as { eventContext: EventContext }).eventContext;
    this.redactor.add(context.sessionUuid);
    this.redactor.add(await this.http.cookie('sessionid'));
    this.sessionKey = context.sessionUuid;
    this.context = context;
    this.generation++;
    this.startKeepAlive();
    return context;
  }

  private startKeepAlive(): void {
    this.keepAlive ??= new KeepAlive(
      this.http,
      this.options.keepAliveMs ?? 60_000,
      () => this.context !== undefined,
      () => (this.context = undefined),
    );
  }

  /** Stops the keep-alive pings (the session is left open). */
  close(): void {
    this.keepAlive?.stop();
    this.keepAlive = undefined;
  }

  /** Finds the API paths and the server id once (see {@link discoverApi}). */
  private async discover(): Promise<void> {
    if (this.paths) return;
    const found = await discoverApi(this.http.base, (path) => this.get(path));
    this.paths = found.paths;
    this.server = found.server;
  }

  /** The OMERO server (Ice) behind OMERO.web, from `/api/v0/servers/`, for `omero import`. */
  async iceServer(): Promise<{ host: string; port: number }> {
    await this.connect();
    return { host: this.server!.host, port: this.server!.port };
  }

  /** Path of `/api/v0/m/save/` (after discovery). */
  async savePath(): Promise<string> {
    await this.connect();
    return this.paths!.save;
  }

  /**
   * Sends a request that needs a session: connects first, re-logs in once when the server says
   * the session is gone (a 403 before the view ran, so even a write is safe to resend), and
   * rejects with a StorageError for any status but 2xx.
   */
  async request(req: HttpRequest, what?: string): Promise<HttpReply> {
    const needsLogin = LOGIN_REQUIRED.test(req.path);
    if (needsLogin) await this.connect();
    const generation = this.generation;
    let reply = await this.http.readFailure(await this.http.send(req));
    if (needsLogin && isNotLoggedIn(reply)) {
      await this.renew(generation);
      reply = await this.http.readFailure(await this.http.send(req));
    }
    if (reply.status < 200 || reply.status >= 300) throw replyError(this.origin, req, reply, this.redactor, what);
    return reply;
  }

  /** Re-logs in after an expiry seen at `generation`, once for all requests that saw it. */
  private async renew(generation: number): Promise<void> {
    if (this.generation !== generation) return;
    this.context = undefined;
    await this.connect(true);
  }

  /** GET returning parsed JSON. */
  async get<T>(path: string, query?: URLSearchParams, what?: string): Promise<T> {
    const reply = await this.request({ method: 'GET', path, ...(query && { query }) }, what);
    return this.parse<T>(reply, path);
  }

  parse<T>(reply: HttpReply, path: string): T {
    try {
      return JSON.parse(reply.body.toString('utf8')) as T;
    } catch {
      throw new StorageError('CORRUPT', `OMERO.web ${this.origin}: ${path} did not answer JSON (status ${reply.status})`, {
        details: { server: this.origin, path },
      });
    }
  }

  /**
   * Every object of an `/api/v0/m/` list: the first page tells the total and the page size the
   * server really used (`meta.limit`, capped at `maxLimit`), the other pages follow with bounded
   * concurrency. `ceil(total / limit)` requests in all.
   */
  async list<T>(path: string, query: URLSearchParams = new URLSearchParams(), what?: string): Promise<T[]> {
    const params = (offset: number): URLSearchParams => {
      const q = new URLSearchParams(query);
      if (this.options.group !== undefined && !q.has('group')) q.set('group', String(this.options.group));
      q.set('limit', String(this.options.pageSize ?? 500));
      q.set('offset', String(offset));
      return q;
    };
    const first = await this.get<{ data: T[]; meta: ListMeta }>(path, params(0), what);
    const step = Math.max(1, first.meta.limit);
    const offsets: number[] = [];
    for (let offset = step; offset < first.meta.totalCount; offset += step) offsets.push(offset);
    const rest = await mapConcurrent(
      offsets,
      this.options.concurrency ?? 4,
      async (offset) => (await this.get<{ data: T[] }>(path, params(offset), what)).data,
    );
    return [...first.data, ...rest.flat()];
  }

  /** POST of form fields; `idempotent` when resending cannot duplicate anything. */
  async postForm<T>(path: string, form: URLSearchParams, options: { idempotent?: boolean; what?: string } = {}): Promise<T> {
    const reply = await this.request({ method: 'POST', path, body: { form }, idempotent: options.idempotent ?? false }, options.what);
    return this.parse<T>(reply, path);
  }

  async sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, json: unknown, query?: URLSearchParams, what?: string): Promise<T> {
    const reply = await this.request({ method, path, body: { json }, ...(query && { query }) }, what);
    return this.parse<T>(reply, path);
  }

  async postMultipart<T>(path: string, form: FormData, what?: string): Promise<T> {
    const reply = await this.request({ method: 'POST', path, body: { multipart: form } }, what);
    return this.parse<T>(reply, path);
  }

  async delete<T>(path: string, what?: string): Promise<T> {
    const reply = await this.request({ method: 'DELETE', path }, what);
    return this.parse<T>(reply, path);
  }

  /** Streams a GET into `file`, resolving with the bytes written. Retried from scratch on failure. */
  async download(path: string, file: string, what?: string): Promise<number> {
    const reply = await this.request({ method: 'GET', path, stream: true }, what);
    let bytes = 0;
    reply.stream!.on('data', (chunk: Buffer) => (bytes += chunk.length));
    await pipeline(reply.stream!, createWriteStream(file));
    return bytes;
  }

  /** Ends the OMERO session (`POST /webclient/logout/`, a 302 on success) and forgets it. */
  async logout(): Promise<void> {
    if (this.context === undefined && this.sessionKey !== undefined) await this.connect().catch(() => undefined);
    if (this.context !== undefined) {
      const reply = await this.http.send({
        method: 'POST',
        path: '/webclient/logout/',
        body: { form: new URLSearchParams({ csrfmiddlewaretoken: this.http.csrfToken ?? '' }) },
      });
      if (reply.status !== 302 && reply.status !== 200)
        throw replyError(this.origin, { method: 'POST', path: '/webclient/logout/' }, reply, this.redactor, 'OMERO logout');
    }
    this.close();
    this.context = undefined;
    this.sessionKey = undefined;
    await this.http.clearCookies();
  }

  /** The current session key (after connect), for the 0600 session file only. */
  get currentSessionKey(): string | undefined {
    return this.sessionKey;
  }
}

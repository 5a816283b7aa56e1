import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { apiRoute } from './fake-api-routes.js';
import { FakeAuth, maskSecret, type FakeUser } from './fake-auth.js';
import { json, parseCookies, parseMultipart, text, type FakeRequest, type FakeResponse } from './fake-http.js';
import { FakeState } from './fake-state.js';
import { webclientRoute } from './fake-webclient-routes.js';

/** One request the fake received (for tests that count calls). */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  /** Raw request headers and body, for tests that check nothing secret was sent where it must not be. */
  readonly headers: Readonly<Record<string, unknown>>;
}

/** A fault to inject: the next `times` requests matching answer `status` (0 = drop the connection). */
export interface Fault {
  readonly match: (method: string, path: string) => boolean;
  times: number;
  readonly status: number;
}

export interface FakeOmeroWebOptions {
  /** OMERO session idle timeout (default 10 min, as `omero.sessions.timeout`). */
  readonly idleMs?: number;
  /** Accept JSON-body login (omero-web >= 5.29, default true). */
  readonly jsonLogin?: boolean;
  /** Treat requests as HTTPS behind a proxy (Referer rule on unsafe requests). */
  readonly secure?: boolean;
  /** Serve HTTPS with this key and certificate (PEM); implies `secure`. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** `deletemany` runs this long after it answered, as the real server's queued deletes do (default 0). */
  readonly deleteDelayMs?: number;
  /** Clock (ms), for idle expiry without waiting. */
  readonly now?: () => number;
}

/**
 * A fake OMERO.web 5.31 on 127.0.0.1 serving the recorded fixture bodies with the real server's
 * rules: CSRF cookie + header (exact 403 messages), `sessionid` cookie, `Not logged in` 403 on
 * `/api/v0/m/`, 302 to the login page on `/webclient/` without `X-Requested-With`, bare 403 with
 * it, `meta` paging capped at 500, 301 on a missing trailing slash, idle session expiry,
 * `annotate_map` replacing all pairs (empty list deletes), multipart `annotate_file`.
 */
export class FakeOmeroWeb {
  readonly state = new FakeState();
  readonly auth: FakeAuth;
  readonly requests: LoggedRequest[] = [];
  readonly faults: Fault[] = [];
  private server?: Server;
  /** Plain-HTTP stand-in for the OMERO server's Ice port: only the fake `omero import` talks to it. */
  private ice?: Server;
  private icePort = 0;
  private origin = '';

  constructor(private readonly options: FakeOmeroWebOptions = {}) {
    this.auth = new FakeAuth(options.idleMs ?? 600_000, options.now);
  }

  get url(): string {
    return this.origin;
  }

  /** Adds a login (default group 5 "read-ann", as the fixtures' owner). */
  addUser(user: Partial<FakeUser> & { userName: string; password: string }): FakeUser {
    const full: FakeUser = { id: 3, firstName: 'Ben', lastName: 'Nevis', groupId: 5, memberOfGroups: [5, 1, 4], ...user };
    this.auth.users.set(full.userName, full);
    return full;
  }

  /** Makes the next `times` requests that `match` fail with `status` (0 = connection reset). */
  inject(match: (method: string, path: string) => boolean, times: number, status = 500): void {
    this.faults.push({ match, times, status });
  }

  /** Requests whose path starts with `prefix` (and method, when given). */
  count(prefix: string, method?: string): number {
    return this.requests.filter((r) => r.path.startsWith(prefix) && (method === undefined || r.method === method)).length;
  }

  async start(): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.options.tls;
    this.server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.ice = createServer((req, res) => void this.handleImport(req, res));
    await new Promise<void>((resolve) => this.ice!.listen(0, '127.0.0.1', resolve));
    this.icePort = (this.ice.address() as AddressInfo).port;
    return this.origin;
  }

  async stop(): Promise<void> {
    for (const server of [this.server, this.ice]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
  }

  private async handleImport(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body: Buffer.concat(chunks),
      cookies: {},
      form: new URLSearchParams(),
      files: [],
    };
    this.send(res, url.pathname === '/__fake__/import/' && request.method === 'POST' ? this.fakeImport(request) : text(404, ''));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.origin);
    const contentType = String(req.headers['content-type'] ?? '');
    const parsed = contentType.startsWith('multipart/form-data')
      ? parseMultipart(body, contentType)
      : { form: new URLSearchParams(contentType.startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : ''), files: [] };
    const request: FakeRequest = { method: req.method ?? 'GET', url, headers: req.headers, body, cookies: parseCookies(req.headers.cookie), ...parsed };
    const fault = this.faults.find((f) => f.times > 0 && f.match(request.method, url.pathname));
    if (fault) {
      fault.times--;
      this.log(request, fault.status);
      if (fault.status === 0) return void req.socket.destroy();
      return this.send(
        res,
        json(fault.status, { message: 'Internal Server Error', stacktrace: 'Traceback (most recent call last):\n  ...\nIce.ConnectionLostException\n' }),
      );
    }
    const response = this.route(request);
    this.log(request, response.status);
    this.send(res, response);
  }

  private log(req: FakeRequest, status: number): void {
    this.requests.push({ method: req.method, path: req.url.pathname, query: req.url.search, status, headers: { ...req.headers } });
  }

  private send(res: ServerResponse, r: FakeResponse): void {
    res.writeHead(r.status, r.headers);
    res.end(r.body);
  }

  private csrfCookie(req: FakeRequest): { secret: string; setCookie: string } {
    const existing = req.cookies['csrftoken'];
    const secret = existing !== undefined && existing.length === 32 ? existing : this.auth.newSecret();
    const expires = new Date(Date.now() + 31_449_600_000).toUTCString();
    return { secret, setCookie: `csrftoken=${secret}; expires=${expires}; Max-Age=31449600; Path=/; SameSite=Lax` };
  }

  private route(req: FakeRequest): FakeResponse {
    const p = req.url.pathname;
    if (!p.endsWith('/')) return { status: 301, headers: { location: `${p}/${req.url.search}`, 'content-type': 'text/html; charset=utf-8' }, body: '' };
    const csrf = this.auth.csrfFailure(req, this.options.secure === true || this.options.tls !== undefined, req.url.host);
    if (csrf !== undefined) return json(403, { message: csrf });
    req.session = this.auth.join(req.cookies['sessionid']);
    if (p.startsWith('/api/')) {
      const ctx = {
        state: this.state,
        auth: this.auth,
        origin: this.origin,
        icePort: this.icePort,
        jsonLogin: this.options.jsonLogin !== false,
        csrfCookie: (r: FakeRequest) => this.csrfCookie(r),
        mask: maskSecret,
      };
      return apiRoute(ctx, req) ?? text(404, '<h1>Not Found</h1>');
    }
    if (p === '/webclient/login/' && req.method === 'GET') {
      const { setCookie } = this.csrfCookie(req);
      return {
        ...text(200, '<html><form method="post"><input name="csrfmiddlewaretoken"></form></html>'),
        headers: { 'content-type': 'text/html; charset=utf-8', 'set-cookie': setCookie },
      };
    }
    if (p === '/webclient/keepalive_ping/') return text(200, req.session ? 'OK' : 'Connection Failed', 'text/plain');
    if (p === '/webclient/logout/' && req.method === 'POST') {
      if (req.session) this.auth.logout(req.session.id);
      return {
        status: 302,
        headers: { location: '/webclient/login/', 'set-cookie': 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/' },
        body: '',
      };
    }
    if (p.startsWith('/webclient/') || p.startsWith('/webgateway/')) {
      if (req.session === undefined) {
        if (req.headers['x-requested-with'] === 'XMLHttpRequest') return text(403, '');
        return {
          status: 302,
          headers: { location: `/webclient/login/?url=${encodeURIComponent(p + req.url.search)}`, 'content-type': 'text/html; charset=utf-8' },
          body: '',
        };
      }
      return webclientRoute(this.state, req, req.session.userId, this.options.deleteDelayMs) ?? text(404, '');
    }
    return text(404, '<h1>Not Found</h1>');
  }

  /**
   * What an `omero import` does through Ice, reached by the fake `omero` CLI of the tests: joins
   * the session by its key and creates one Image in a Dataset from the uploaded bytes.
   */
  private fakeImport(req: FakeRequest): FakeResponse {
    const session = this.auth.byKey(String(req.headers['x-omero-session-key'] ?? ''));
    if (!session) return json(403, { message: 'Not logged in' });
    const { dataset, name, fileName, content } = JSON.parse(req.body.toString('utf8')) as { dataset: number; name: string; fileName: string; content: string };
    if (!this.state.datasets.has(dataset)) return json(404, { message: `Dataset ${dataset} not found` });
    const image = this.state.addImage(dataset, name, session.userId, { name: fileName, bytes: Buffer.from(content, 'base64') });
    return json(200, { image: image.id });
  }
}

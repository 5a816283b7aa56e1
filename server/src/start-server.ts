import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Kernel } from '@bioimageit/core';
import { ApiError, errorBody, httpStatusOf } from './api-error.js';
import { apiRoutes } from './api/api-routes.js';
import { resolveApiSchema } from './api/api-schemas.js';
import { ExperimentCatalog } from './api/experiment-catalog.js';
import { ItemPager } from './api/item-page.js';
import { MAX_WHERE_LENGTH } from './api/item-routes.js';
import { OPENAPI_PATH, type OpenApiDocument } from './api/openapi-document.js';
import type { ServerContext } from './api/server-context.js';
import { AccessGuard, resolveAccess, TOKEN_COOKIE } from './http/access-guard.js';
import { dispatchApi, sendJson } from './http/api-dispatcher.js';
import { RouteTable } from './http/route-table.js';
import { browsableUrls } from './http/server-address.js';
import { StaticFiles } from './http/static-files.js';
import { PreviewService, type PreviewOptions } from './render/preview-service.js';
import { ImportRoots } from './imports/import-roots.js';
import { ImportTracker } from './imports/import-tracker.js';
import { PipelineCatalog } from './runs/pipeline-catalog.js';
import { PipelineTracker } from './runs/pipeline-tracker.js';
import { RunTracker } from './runs/run-tracker.js';
import { PUBLIC_DIR, SERVER_VERSION } from './server-version.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** The kernel whose workspace is served; the caller disposes it after `close()`. */
  readonly kernel: Kernel;
  /** Interface to listen on; default `127.0.0.1`. Any other address requires a token. */
  readonly host?: string;
  /** Port; default 8765, 0 picks a free one. */
  readonly port?: number;
  /** Token API requests must carry. Default: none on loopback; a random one when bound elsewhere. */
  readonly token?: string;
  /** Experiments to serve besides the workspace's (names, paths or URIs, as `-e` takes them). */
  readonly experiments?: readonly string[];
  /** Where internal errors are reported (default: stderr). */
  readonly log?: (message: string) => void;
  /** Preview workers, read limit and deadline (see {@link PreviewOptions}). */
  readonly previews?: PreviewOptions;
  /**
   * Server-side folders clients may import from, by name (`--import-root NAME=PATH`), besides
   * the workspace's `import.roots` (a name given here wins). Relative paths: from the workspace.
   */
  readonly importRoots?: Readonly<Record<string, string>>;
}

/** A listening server. */
export interface RunningServer {
  /** `http://HOST:PORT/`, as this machine reaches it (`127.0.0.1` for a server bound to `0.0.0.0` or `::`). */
  readonly url: string;
  /** The URL to open in a browser on this machine: with `?token=` when a token is required. */
  readonly openUrl: string;
  /**
   * The URLs to open from other machines (with `?token=`): the bound address, or for a server bound
   * to every interface the machine's name and its external addresses; none on loopback.
   */
  readonly networkUrls: readonly string[];
  readonly port: number;
  /** The token requests need, when one is required. */
  readonly token: string | undefined;
  readonly document: OpenApiDocument;
  readonly context: ServerContext;
  /** Cancels running runs, ends event streams and stops listening. The kernel stays open. */
  close(): Promise<void>;
}

/**
 * Serves the REST API (`/api/...`, documented at `/api/openapi.json` and
 * `/.well-known/openapi.json`) and the browser GUI (`/`) of a kernel's workspace on one node:http
 * server. Rejects with ApiError BAD_REQUEST for a bad host/port/token or import root, StorageError NOT_FOUND for
 * an experiment in `experiments` that does not exist, and the listen error (EADDRINUSE...) as is.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8765;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ApiError('BAD_REQUEST', `port must be an integer 0..65535 (got ${port})`);
  if (options.token !== undefined && options.token.length < 8) throw new ApiError('BAD_REQUEST', 'a token must have at least 8 characters');
  const { token, loopback } = resolveAccess(host, options.token);
  const guard = new AccessGuard(token, loopback);
  const log = options.log ?? ((message: string) => process.stderr.write(message + '\n'));
  const kernel = options.kernel;
  const catalog = new ExperimentCatalog(kernel, options.experiments ?? []);
  await catalog.list();
  const imageFormats = new Set(kernel.formats.keys().filter((id) => kernel.formats.peek(id)?.readPixels !== undefined));
  const runs = new RunTracker(kernel, (text) => catalog.redactor.redact(text));
  const pipelines = new PipelineTracker(kernel, runs);
  const importRoots = await ImportRoots.resolve({ ...kernel.config.import.roots, ...options.importRoots }, kernel.config.workspace);
  for (const [name, folder] of importRoots.entries()) catalog.redactor.add(folder, `<import root ${name}>`);
  const imports = new ImportTracker(kernel, runs.events, (text) => catalog.redactor.redact(text));
  const context: ServerContext = {
    kernel,
    catalog,
    pager: new ItemPager(),
    runs,
    pipelineFiles: new PipelineCatalog(kernel),
    pipelines,
    previews: new PreviewService(kernel.formats, options.previews),
    importRoots,
    imports,
    imageFormats,
    tokenRequired: guard.tokenRequired,
    version: SERVER_VERSION,
  };
  const { routes, document } = apiRoutes(context);
  const table = new RouteTable(routes);
  const files = new StaticFiles(fileURLToPath(PUBLIC_DIR));
  const logError = (message: string, error: unknown) =>
    log(`bioimageit serve: ${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    let url: URL;
    try {
      guard.checkHost(request);
      refuseTraversal(request.url ?? '/');
      url = new URL(request.url ?? '/', 'http://server.invalid');
      if (url.pathname === '/.well-known/openapi.json') url.pathname = OPENAPI_PATH;
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        guard.checkToken(request);
        return await dispatchApi(table, resolveApiSchema, request, response, url, logError, (text) => catalog.redactor.redact(text));
      }
      if (request.method !== 'GET' && request.method !== 'HEAD')
        throw new ApiError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname} (allowed: GET, HEAD)`, {
          details: { allowed: ['GET', 'HEAD'] },
        });
      const given = url.searchParams.get('token');
      if (url.pathname === '/' && given !== null && guard.tokenRequired) return login(response, guard, given);
      await files.serve(url.pathname, response, request.method === 'HEAD');
    } catch (error) {
      if (httpStatusOf(error) >= 500) logError(`${request.method} ${request.url}`, error);
      if (!response.headersSent)
        sendJson(
          response,
          httpStatusOf(error),
          errorBody(error, (text) => catalog.redactor.redact(text)),
        );
      else response.destroy();
    }
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  server.keepAliveTimeout = 5_000;
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const { local: url, network } = browsableUrls(host, actual, loopback);
  const withToken = (address: string) => (token === undefined ? address : `${address}?token=${encodeURIComponent(token)}`);
  return {
    url,
    openUrl: withToken(url),
    networkUrls: network.map(withToken),
    port: actual,
    token,
    document,
    context,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const pipelinesStopped = pipelines.stopAll();
      await runs.stopAll();
      await pipelinesStopped;
      await imports.stopAll();
      server.closeAllConnections();
      await closed;
      await context.previews.close();
    },
  };
}

/**
 * Answers a request node:http could not parse, instead of its bare status line: a request line or
 * headers past node's limit (16 KiB) get 414 URI Too Long (the request line alone is too long: a
 * `where` query of 100k characters) or 431, others 400, each with the API's JSON error body;
 * then the connection closes. A socket already gone is just destroyed.
 */
function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  let status = 400;
  let code = 'BAD_REQUEST';
  let message = `malformed HTTP request (${error.code ?? error.message})`;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const raw = error.rawPacket ?? Buffer.alloc(0);
    const lineEnd = raw.indexOf('\r\n');
    const lineTooLong = lineEnd < 0 || lineEnd > 8192;
    status = lineTooLong ? 414 : 431;
    code = lineTooLong ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE';
    message = lineTooLong
      ? `the request line is longer than this server accepts (16 KiB in all with the headers); a query ('where') may hold ${MAX_WHERE_LENGTH} characters`
      : 'the request headers are larger than this server accepts (16 KiB)';
  }
  const body = JSON.stringify({ error: { code, area: 'api', message } });
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * FORBIDDEN for a request path with `..` segments, backslashes or NUL bytes, percent-encoded or
 * not: checked on the raw request line, before URL parsing folds dot segments away.
 */
function refuseTraversal(rawUrl: string): void {
  const path = rawUrl.split(/[?#]/)[0] ?? '';
  let decoded = path;
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      throw new ApiError('BAD_REQUEST', `malformed percent-encoding in path ${path}`);
    }
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new ApiError('FORBIDDEN', `path ${path} tries to leave its folder`, { details: { path } });
  }
}

/** `/?token=T`: a right token is kept in an HttpOnly cookie and the browser sent to `/` (the token leaves the address bar). */
function login(response: ServerResponse, guard: AccessGuard, given: string): void {
  if (!guard.matches(given)) throw new ApiError('UNAUTHORIZED', 'wrong token');
  response.writeHead(303, {
    Location: '/',
    'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/`,
    'Cache-Control': 'no-store',
  });
  response.end();
}

import type { Readable } from 'node:stream';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { RunnerError } from '@bioimageit/core';

/** Oldest Engine API version the runner speaks (wait conditions, Mounts, DeviceRequests: Docker 19.03). */
export const MIN_API_VERSION = '1.40';
/**
 * Newest Engine API version the runner knows (Docker 29.0). Every endpoint, query parameter,
 * request field and response field the runner uses has the same shape from 1.40 through 1.52 (see
 * the package README, "Engine API versions"), so nothing branches on the version yet; a daemon
 * newer than this is spoken to at this version, as long as it still accepts it.
 */
export const MAX_API_VERSION = '1.52';

/** What the daemon said about itself when the client connected (recorded in provenance). */
export interface DockerDaemonInfo {
  /** Engine version, e.g. `20.10.24+dfsg1`. */
  readonly version: string;
  /** The API version this client uses with that daemon (recorded in each job's provenance). */
  readonly apiVersion: string;
  /** The versions the daemon accepts, from its `/version` (`MinAPIVersion`, `ApiVersion`); `min` is absent when it gives none. */
  readonly apiVersions: { readonly min?: string; readonly max: string };
  /** The engine's name: `Docker Engine` or, for Podman's Docker-compatible service, `Podman Engine`. */
  readonly engine: string;
  readonly os: string;
  readonly arch: string;
}

/** A non-2xx answer of the Engine API, with the daemon's own message. */
export class DockerApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly endpoint: string,
    readonly daemonMessage: string,
  ) {
    super(`Docker Engine API ${method} ${endpoint} answered ${status}: ${daemonMessage}`);
  }
  override get name(): string {
    return 'DockerApiError';
  }
}

/** A request option subset used by the runner. */
export interface DockerRequest {
  readonly query?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: unknown;
  /** Extra headers (e.g. Content-Type of an upload). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts the HTTP request (not the container). */
  readonly signal?: AbortSignal;
}

const VERSION = /^(\d+)\.(\d+)$/;

/** Orders two `major.minor` API versions (negative when `a` is older). */
export function compareApiVersions(a: string, b: string): number {
  const [, a1 = '0', a2 = '0'] = VERSION.exec(a) ?? [];
  const [, b1 = '0', b2 = '0'] = VERSION.exec(b) ?? [];
  return Number(a1) !== Number(b1) ? Number(a1) - Number(b1) : Number(a2) - Number(b2);
}

/**
 * The API version to speak with a daemon that accepts `daemonMin` through `daemonMax` (its
 * `/version`'s `MinAPIVersion` and `ApiVersion`), picked as the Docker CLI picks it: the daemon's
 * newest, capped at {@link MAX_API_VERSION}. Undefined when that version is older than
 * {@link MIN_API_VERSION} or than `daemonMin` (the two ranges do not overlap), or when a version
 * is not `major.minor`. Without `daemonMin` the daemon is taken to accept every older version.
 */
export function negotiateApiVersion(daemonMax: string, daemonMin?: string): string | undefined {
  if (!VERSION.test(daemonMax) || (daemonMin !== undefined && !VERSION.test(daemonMin))) return undefined;
  const version = compareApiVersions(daemonMax, MAX_API_VERSION) < 0 ? daemonMax : MAX_API_VERSION;
  if (compareApiVersions(version, MIN_API_VERSION) < 0) return undefined;
  if (daemonMin !== undefined && compareApiVersions(version, daemonMin) < 0) return undefined;
  return version;
}

/** The refusal of a daemon whose API versions do not overlap the runner's: both ranges, and what to upgrade. */
function noCommonVersion(
  socketPath: string,
  engine: string,
  version: string | undefined,
  daemonMax: string | undefined,
  daemonMin: string | undefined,
): RunnerError {
  const client = `${MIN_API_VERSION}–${MAX_API_VERSION}`;
  const details = {
    socket: socketPath,
    daemonApiVersions: { min: daemonMin, max: daemonMax },
    clientApiVersions: { min: MIN_API_VERSION, max: MAX_API_VERSION },
  };
  const who = version === undefined ? `the daemon at unix://${socketPath}` : `${engine} ${version} at unix://${socketPath}`;
  if (daemonMax === undefined || !VERSION.test(daemonMax) || (daemonMin !== undefined && !VERSION.test(daemonMin))) {
    return new RunnerError(
      'UNAVAILABLE',
      `${who} gives no usable Engine API version (ApiVersion ${daemonMax ?? 'missing'}, MinAPIVersion ${daemonMin ?? 'missing'}); the docker runner speaks ${client}`,
      { details },
    );
  }
  const daemon = daemonMin === undefined ? `up to ${daemonMax}` : `${daemonMin}–${daemonMax}`;
  const fix =
    compareApiVersions(daemonMax, MIN_API_VERSION) < 0
      ? `upgrade the engine (Docker 19.03 or newer speaks API ${MIN_API_VERSION})`
      : `upgrade @bioimageit/docker-runner, or use an engine that still accepts API ${MAX_API_VERSION}`;
  return new RunnerError('UNAVAILABLE', `${who} speaks Engine API ${daemon} and the docker runner speaks ${client}: no version in common; ${fix}`, { details });
}

/** Turns a failed axios call into a DockerApiError (daemon answered) or rethrows the transport error. */
async function explain(error: unknown, method: string, endpoint: string): Promise<never> {
  if (error instanceof AxiosError && error.response !== undefined) {
    const data: unknown = error.response.data;
    let text = '';
    if (data !== null && typeof data === 'object' && typeof (data as Readable).pipe === 'function') {
      for await (const chunk of data as Readable) text += String(chunk);
    } else if (typeof data === 'string') text = data;
    else if (data !== undefined) text = JSON.stringify(data);
    let message = text.trim();
    try {
      const parsed = JSON.parse(message) as { message?: unknown };
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON: keep the text
    }
    throw new DockerApiError(error.response.status, method, endpoint, message || (error.response.statusText ?? 'no message'));
  }
  throw error;
}

/**
 * A minimal Docker Engine API client over the daemon's unix socket (axios with `socketPath`).
 * It never shells out to the docker CLI. Calls reject with {@link DockerApiError} when the daemon
 * answers with an error status, and with the transport error (ENOENT, ECONNREFUSED...) when the
 * socket does not answer. Use {@link DockerEngineClient.connect} to build one: it checks that the
 * daemon answers and agrees on an API version.
 */
export class DockerEngineClient {
  private readonly http: AxiosInstance;

  private constructor(
    /** Path of the daemon's unix socket. */
    readonly socketPath: string,
    readonly daemon: DockerDaemonInfo,
  ) {
    this.http = axios.create({
      socketPath,
      baseURL: `http://docker/v${daemon.apiVersion}`,
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // Errors carry the daemon's message; 304 (already started/stopped) is not an error.
      validateStatus: (status) => (status >= 200 && status < 300) || status === 304,
      proxy: false,
    });
  }

  /**
   * Asks the daemon at `socketPath` for its versions (`GET /version`, unversioned, as the Docker
   * CLI does) and returns a client speaking the newest API version both understand (see
   * {@link negotiateApiVersion}); every later request goes to `/v<that version>/…`. Throws
   * RunnerError UNAVAILABLE naming the socket when nothing answers there, and naming both version
   * ranges (the daemon's `MinAPIVersion`–`ApiVersion`, this client's
   * {@link MIN_API_VERSION}–{@link MAX_API_VERSION}) when they do not overlap or the answer gives
   * no version (not a Docker daemon).
   */
  static async connect(socketPath: string, timeoutMs = 5000): Promise<DockerEngineClient> {
    const fix = 'start dockerd or point DOCKER_HOST at its socket';
    let data: Record<string, unknown>;
    try {
      const response = await axios.get<Record<string, unknown>>('http://docker/version', { socketPath, timeout: timeoutMs, proxy: false });
      data = response.data;
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      const why =
        code === 'ENOENT'
          ? 'no socket there'
          : code === 'ECONNREFUSED'
            ? 'connection refused (daemon not running)'
            : code === 'EACCES'
              ? 'permission denied (join the docker group?)'
              : cause instanceof Error
                ? cause.message
                : String(cause);
      throw new RunnerError('UNAVAILABLE', `Docker daemon at unix://${socketPath} does not answer: ${why}; ${fix}`, {
        cause,
        details: { socket: socketPath, code },
      });
    }
    const text = (key: string): string | undefined => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
    const daemonMax = text('ApiVersion');
    const daemonMin = text('MinAPIVersion');
    const engine = engineName(data);
    const version = text('Version');
    const apiVersion = daemonMax === undefined ? undefined : negotiateApiVersion(daemonMax, daemonMin);
    if (apiVersion === undefined || daemonMax === undefined) throw noCommonVersion(socketPath, engine, version, daemonMax, daemonMin);
    return new DockerEngineClient(socketPath, {
      version: version ?? 'unknown',
      apiVersion,
      apiVersions: { ...(daemonMin !== undefined && { min: daemonMin }), max: daemonMax },
      engine,
      os: text('Os') ?? 'unknown',
      arch: text('Arch') ?? 'unknown',
    });
  }

  /** A JSON request; resolves with the parsed body (undefined for an empty one). */
  async json<T>(method: 'GET' | 'POST' | 'DELETE', endpoint: string, request: DockerRequest = {}): Promise<T> {
    try {
      const response = await this.http.request<T>(this.config(method, endpoint, request, 'json'));
      return response.data;
    } catch (error) {
      return explain(error, method, endpoint);
    }
  }

  /**
   * A request whose answer is read as a stream (attach, pull progress, waits): resolves when the
   * headers arrive, so the caller can start the container knowing the stream is attached.
   */
  async stream(method: 'GET' | 'POST', endpoint: string, request: DockerRequest = {}): Promise<Readable> {
    try {
      const response = await this.http.request<Readable>(this.config(method, endpoint, request, 'stream'));
      return response.data;
    } catch (error) {
      return explain(error, method, endpoint);
    }
  }

  private config(method: string, endpoint: string, request: DockerRequest, responseType: 'json' | 'stream'): AxiosRequestConfig {
    return {
      method,
      url: endpoint,
      responseType,
      ...(request.query !== undefined && { params: request.query }),
      ...(request.body !== undefined && { data: request.body }),
      ...(request.headers !== undefined && { headers: { ...request.headers } }),
      ...(request.signal !== undefined && { signal: request.signal }),
    };
  }
}

/** The engine's name from a `/version` answer: its first component's (`Engine`, `Podman Engine`), as `Docker Engine` or `Podman Engine`. */
function engineName(version: Record<string, unknown>): string {
  const components = Array.isArray(version['Components']) ? (version['Components'] as { Name?: unknown }[]) : [];
  const name = components.map((c) => c.Name).find((n): n is string => typeof n === 'string' && n !== '');
  if (name === undefined || name === 'Engine') return 'Docker Engine';
  return name;
}

/** The socket path named by a `DOCKER_HOST` value (`unix:///path`), or undefined for TCP/SSH hosts. */
export function socketPathOf(dockerHost: string): string | undefined {
  if (dockerHost.startsWith('unix://')) return dockerHost.slice('unix://'.length);
  if (dockerHost.startsWith('/')) return dockerHost;
  return undefined;
}

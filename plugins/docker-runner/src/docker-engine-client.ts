import type { Readable } from 'node:stream';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { RunnerError } from '@bioimageit/core';

/** Oldest Engine API version the runner speaks (wait conditions, Mounts, DeviceRequests). */
export const MIN_API_VERSION = '1.40';
/** Newest Engine API version the runner asks for; newer daemons answer it unchanged. */
export const MAX_API_VERSION = '1.41';

/** What the daemon said about itself when the client connected (recorded in provenance). */
export interface DockerDaemonInfo {
  /** Engine version, e.g. `20.10.24+dfsg1`. */
  readonly version: string;
  /** The API version this client uses with that daemon. */
  readonly apiVersion: string;
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

const compareVersions = (a: string, b: string): number => {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
};

/** The API version to use with a daemon whose newest version is `server`, or undefined when it is too old. */
export function negotiateApiVersion(server: string): string | undefined {
  if (compareVersions(server, MIN_API_VERSION) < 0) return undefined;
  return compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
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
   * Asks the daemon at `socketPath` for its version and returns a client speaking an API version
   * both understand. Throws RunnerError UNAVAILABLE naming the socket when nothing answers there,
   * when it is not a Docker daemon or when the daemon is older than API {@link MIN_API_VERSION}.
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
        code === 'ENOENT' ? 'no socket there' : code === 'ECONNREFUSED' ? 'connection refused (daemon not running)' : code === 'EACCES' ? 'permission denied (join the docker group?)' : cause instanceof Error ? cause.message : String(cause);
      throw new RunnerError('UNAVAILABLE', `Docker daemon at unix://${socketPath} does not answer: ${why}; ${fix}`, {
        cause,
        details: { socket: socketPath, code },
      });
    }
    const server = typeof data['ApiVersion'] === 'string' ? data['ApiVersion'] : undefined;
    const apiVersion = server === undefined ? undefined : negotiateApiVersion(server);
    if (apiVersion === undefined) {
      throw new RunnerError('UNAVAILABLE', `Docker daemon at unix://${socketPath} speaks API ${server ?? '(unknown)'}; the docker runner needs ${MIN_API_VERSION} or newer (Docker 19.03+)`, {
        details: { socket: socketPath, apiVersion: server },
      });
    }
    const text = (key: string): string => (typeof data[key] === 'string' ? (data[key] as string) : 'unknown');
    return new DockerEngineClient(socketPath, { version: text('Version'), apiVersion, os: text('Os'), arch: text('Arch') });
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

/** The socket path named by a `DOCKER_HOST` value (`unix:///path`), or undefined for TCP/SSH hosts. */
export function socketPathOf(dockerHost: string): string | undefined {
  if (dockerHost.startsWith('unix://')) return dockerHost.slice('unix://'.length);
  if (dockerHost.startsWith('/')) return dockerHost;
  return undefined;
}

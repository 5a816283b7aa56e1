import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { compareApiVersions } from '../docker-engine-client.js';
import { streamFrame } from './stream-frame.js';

/** An image the fake daemon has: inspected by reference or content id. */
export interface FakeImage {
  readonly reference: string;
  readonly Id: string;
  readonly RepoDigests?: readonly string[];
}

/** What a started container of the fake daemon prints and how it ends. */
export interface FakeContainerRun {
  /** Written to the attach stream, in order: `[1, text]` is stdout, `[2, text]` stderr. */
  readonly output: readonly (readonly [1 | 2, string])[];
  readonly statusCode: number;
  readonly oomKilled?: boolean;
}

/** How the fake daemon presents itself. */
export interface FakeDockerDaemonOptions {
  /** Its newest API version (`ApiVersion`), also used for unversioned paths. */
  readonly apiVersion: string;
  /** Its oldest API version (`MinAPIVersion`); versioned paths below it are refused as Docker refuses them. */
  readonly minApiVersion: string;
  /** Engine version (`Version`), default `29.0.0`. */
  readonly version?: string;
  readonly images?: readonly FakeImage[];
  /** Decides each started container's output and exit from its create body (default: exit 0, no output). */
  readonly run?: (create: Readonly<Record<string, unknown>>) => FakeContainerRun;
}

/** A fake Docker daemon listening on a unix socket. */
export interface FakeDockerDaemon {
  readonly socketPath: string;
  /** Every request, as `METHOD /path` (the version prefix kept, no query). */
  readonly requests: readonly string[];
  /** Bodies of `POST /containers/create`, in order. */
  readonly created: readonly Readonly<Record<string, unknown>>[];
  /** Containers that exist now (created and not removed). */
  containers(): string[];
  close(): Promise<void>;
}

interface FakeContainer {
  readonly id: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
  state: 'created' | 'running' | 'exited';
  exit?: FakeContainerRun;
  attach?: ServerResponse;
  waits: ServerResponse[];
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * Starts a fake Docker Engine on `<dir>/docker.sock` (node:http over a unix socket) that answers
 * the calls the docker runner makes, as Docker answers them: unversioned `GET /version` and
 * `/_ping`; versioned paths outside `minApiVersion`–`apiVersion` refused with 400 and Docker's
 * message ("client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade
 * your client to a newer version"); image inspect; container create, attach (a multiplexed stream
 * written when the container starts), wait (`next-exit`), start, inspect, kill, remove and list.
 * Anything else is 404 `page not found`. No container runs: each start ends at once with
 * `options.run`'s canned output and exit code.
 */
export async function startFakeDockerDaemon(dir: string, options: FakeDockerDaemonOptions): Promise<FakeDockerDaemon> {
  const socketPath = path.join(dir, 'docker.sock');
  const requests: string[] = [];
  const created: Record<string, unknown>[] = [];
  const containers = new Map<string, FakeContainer>();
  const images = options.images ?? [];
  const findImage = (ref: string): FakeImage | undefined => images.find((i) => i.reference === ref || i.Id === ref);
  const findContainer = (ref: string): FakeContainer | undefined => containers.get(ref) ?? [...containers.values()].find((c) => c.name === ref);

  const finish = (container: FakeContainer): void => {
    const exit = container.exit ?? { output: [], statusCode: 0 };
    container.state = 'exited';
    container.attach?.end(Buffer.concat(exit.output.map(([stream, text]) => streamFrame(stream, text))));
    for (const wait of container.waits.splice(0)) wait.end(JSON.stringify({ StatusCode: exit.statusCode, Error: null }));
  };

  const route = (req: IncomingMessage, res: ServerResponse, endpoint: string, url: URL, body: string): void => {
    const method = req.method ?? 'GET';
    if (endpoint === '/version' && method === 'GET') {
      return json(res, 200, {
        Platform: { Name: 'Docker Engine - Community' },
        Components: [
          { Name: 'Engine', Version: options.version ?? '29.0.0', Details: { ApiVersion: options.apiVersion, MinAPIVersion: options.minApiVersion } },
        ],
        Version: options.version ?? '29.0.0',
        ApiVersion: options.apiVersion,
        MinAPIVersion: options.minApiVersion,
        Os: 'linux',
        Arch: 'amd64',
      });
    }
    if (endpoint === '/_ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Api-Version': options.apiVersion });
      return void res.end(method === 'HEAD' ? undefined : 'OK');
    }
    let m = /^\/images\/(.+)\/json$/.exec(endpoint);
    if (m !== null && method === 'GET') {
      const ref = decodeURIComponent(m[1] ?? '');
      const image = findImage(ref);
      if (image === undefined) return json(res, 404, { message: `No such image: ${ref}` });
      return json(res, 200, { Id: image.Id, RepoTags: [image.reference], RepoDigests: image.RepoDigests ?? [], Os: 'linux', Architecture: 'amd64' });
    }
    if (endpoint === '/containers/create' && method === 'POST') {
      const spec = JSON.parse(body) as Record<string, unknown>;
      created.push(spec);
      const image = findImage(String(spec['Image']));
      if (image === undefined) return json(res, 404, { message: `No such image: ${String(spec['Image'])}` });
      const id = randomBytes(32).toString('hex');
      const name = url.searchParams.get('name') ?? id.slice(0, 12);
      containers.set(id, { id, name, body: spec, state: 'created', waits: [], ...(options.run !== undefined && { exit: options.run(spec) }) });
      return json(res, 201, { Id: id, Warnings: [] });
    }
    if (endpoint === '/containers/json' && method === 'GET') {
      return json(
        res,
        200,
        [...containers.values()].map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: c.body['Image'], Labels: c.body['Labels'] ?? {}, State: c.state })),
      );
    }
    m = /^\/containers\/([^/]+)(?:\/(attach|wait|start|kill|json))?$/.exec(endpoint);
    const container = m === null ? undefined : findContainer(m[1] ?? '');
    if (m === null) return json(res, 404, { message: 'page not found' });
    if (container === undefined) return json(res, 404, { message: `No such container: ${m[1] ?? ''}` });
    const action = m[2];
    if (action === 'attach' && method === 'POST') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      res.flushHeaders();
      container.attach = res;
      if (container.state === 'exited') res.end();
      return;
    }
    if (action === 'wait' && method === 'POST') {
      const condition = url.searchParams.get('condition') ?? 'not-running';
      if (!['not-running', 'next-exit', 'removed'].includes(condition)) return json(res, 400, { message: `invalid condition: "${condition}"` });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      container.waits.push(res);
      return;
    }
    if (action === 'start' && method === 'POST') {
      if (container.state !== 'created') return void res.writeHead(304).end();
      container.state = 'running';
      res.writeHead(204).end();
      setImmediate(() => finish(container));
      return;
    }
    if (action === 'kill' && method === 'POST') {
      if (container.state !== 'running') return json(res, 409, { message: `Container ${container.id} is not running` });
      container.exit = { output: [], statusCode: 137 };
      finish(container);
      return void res.writeHead(204).end();
    }
    if (action === 'json' && method === 'GET') {
      return json(res, 200, {
        Id: container.id,
        Name: `/${container.name}`,
        State: { Status: container.state, OOMKilled: container.exit?.oomKilled === true, ExitCode: container.exit?.statusCode ?? 0 },
      });
    }
    if (action === undefined && method === 'DELETE') {
      containers.delete(container.id);
      container.attach?.end();
      for (const wait of container.waits.splice(0)) wait.end(JSON.stringify({ StatusCode: 137, Error: null }));
      return void res.writeHead(204).end();
    }
    json(res, 404, { message: 'page not found' });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    requests.push(`${req.method ?? 'GET'} ${url.pathname}`);
    const versioned = /^\/v([0-9]+\.[0-9]+)(\/.*)$/.exec(url.pathname);
    const endpoint = versioned?.[2] ?? url.pathname;
    const version = versioned?.[1];
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (version !== undefined && compareApiVersions(version, options.minApiVersion) < 0) {
        return json(res, 400, {
          message: `client version ${version} is too old. Minimum supported API version is ${options.minApiVersion}, please upgrade your client to a newer version`,
        });
      }
      if (version !== undefined && compareApiVersions(version, options.apiVersion) > 0) {
        return json(res, 400, { message: `client version ${version} is too new. Maximum supported API version is ${options.apiVersion}` });
      }
      route(req, res, endpoint, url, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    requests,
    created,
    containers: () => [...containers.keys()],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerLifecycle } from './container-lifecycle.js';
import { DockerApiError, DockerEngineClient } from './docker-engine-client.js';
import { streamFrame } from './test-support/stream-frame.js';

/** Each test answers the runner's requests with `route` on a fake daemon socket (/version built in). */
describe('ContainerLifecycle against a fake Engine API', () => {
  let dir: string;
  let server: Server;
  let seen: string[];
  let route: (req: IncomingMessage, res: ServerResponse, url: URL) => void;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'biit-docker-lifecycle-'));
    seen = [];
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://docker');
      if (url.pathname === '/version') return res.end(JSON.stringify({ ApiVersion: '1.41', Version: 'fake' }));
      seen.push(`${req.method} ${url.pathname.replace('/v1.41', '')}`);
      route(req, res, url);
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'docker.sock'), resolve));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const client = (): Promise<DockerEngineClient> => DockerEngineClient.connect(path.join(dir, 'docker.sock'));

  it('attaches and registers the wait before start, demultiplexes output and reads the exit', async () => {
    let exit: ServerResponse | undefined;
    let attach: ServerResponse | undefined;
    route = (req, res, url) => {
      if (url.pathname.endsWith('/attach')) {
        res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
        res.flushHeaders();
        attach = res;
      } else if (url.pathname.endsWith('/wait')) {
        expect(url.searchParams.get('condition')).toBe('next-exit');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        exit = res;
      } else if (url.pathname.endsWith('/start')) {
        res.writeHead(204).end();
        attach?.end(Buffer.concat([streamFrame(1, 'out\n'), streamFrame(2, 'err\n')]));
        exit?.end(JSON.stringify({ StatusCode: 0, Error: null }));
      } else res.writeHead(204).end();
    };
    const output: string[] = [];
    const lifecycle = new ContainerLifecycle(await client(), 'c1');
    await lifecycle.prepare((stream, payload) => {
      output.push(`${stream}:${payload.toString()}`);
    });
    await lifecycle.start();
    expect(await lifecycle.exit()).toEqual({ statusCode: 0, oomKilled: false });
    await lifecycle.drained(1000);
    await lifecycle.remove();
    expect(output).toEqual(['stdout:out\n', 'stderr:err\n']);
    expect(seen.slice(0, 2).sort()).toEqual(['POST /containers/c1/attach', 'POST /containers/c1/wait']);
    expect(seen.slice(2)).toEqual(['POST /containers/c1/start', 'DELETE /containers/c1']);
  });

  const exitedWith = (statusCode: number, inspect: (res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname.endsWith('/attach')) res.writeHead(200).end();
    else if (url.pathname.endsWith('/wait')) res.writeHead(200).end(JSON.stringify({ StatusCode: statusCode }));
    else if (url.pathname.endsWith('/json')) inspect(res);
    else res.writeHead(204).end();
  };

  it('reads OOMKilled when the exit status is not zero', async () => {
    route = exitedWith(137, (res) => res.end(JSON.stringify({ State: { OOMKilled: true } })));
    const lifecycle = new ContainerLifecycle(await client(), 'c2');
    await lifecycle.prepare(() => undefined);
    await lifecycle.start();
    expect(await lifecycle.exit()).toEqual({ statusCode: 137, oomKilled: true });
  });

  it('rejects when the daemon stops answering after the container exited', async () => {
    route = exitedWith(137, (res) => res.socket?.destroy());
    const lifecycle = new ContainerLifecycle(await client(), 'c3');
    await lifecycle.prepare(() => undefined);
    await lifecycle.start();
    const error = await lifecycle.exit().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DockerApiError);
  });

  it('tolerates killing a container that is not running and removing one that is gone', async () => {
    route = (req, res, url) => {
      if (url.pathname.endsWith('/kill')) return res.writeHead(409).end(JSON.stringify({ message: 'is not running' }));
      if (req.method === 'DELETE') return res.writeHead(404).end(JSON.stringify({ message: 'No such container' }));
      res.writeHead(204).end();
    };
    const lifecycle = new ContainerLifecycle(await client(), 'c4');
    await lifecycle.kill(); // never started: no request at all
    await lifecycle.start();
    await lifecycle.kill();
    await lifecycle.remove();
    await lifecycle.remove(); // once only
    expect(seen).toEqual(['POST /containers/c4/start', 'POST /containers/c4/kill', 'DELETE /containers/c4']);
  });
});

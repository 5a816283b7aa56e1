import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { DockerApiError, DockerEngineClient, negotiateApiVersion, socketPathOf } from './docker-engine-client.js';

describe('DockerEngineClient', () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'biit-docker-client-'));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** A fake daemon on a unix socket answering with `handler`. */
  const fake = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const socket = path.join(dir, 'docker.sock');
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(socket, resolve));
    return socket;
  };

  it('fails with one UNAVAILABLE error naming the socket when no daemon is there', async () => {
    const socket = path.join(dir, 'missing.sock');
    const error = await DockerEngineClient.connect(socket).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).code).toBe('UNAVAILABLE');
    expect((error as RunnerError).message).toBe(`Docker daemon at unix://${socket} does not answer: no socket there; start dockerd or point DOCKER_HOST at its socket`);
  });

  it('refuses a daemon older than API 1.40', async () => {
    const socket = await fake((_req, res) => res.end(JSON.stringify({ ApiVersion: '1.38', Version: '18.09' })));
    const error = await DockerEngineClient.connect(socket).catch((e: unknown) => e);
    expect((error as RunnerError).message).toContain('speaks API 1.38; the docker runner needs 1.40 or newer');
  });

  it("negotiates the API version and reports the daemon's error messages", async () => {
    const seen: string[] = [];
    const socket = await fake((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/version') return res.end(JSON.stringify({ ApiVersion: '1.45', Version: '27.0.1', Os: 'linux', Arch: 'amd64' }));
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such image: x:1' }));
    });
    const client = await DockerEngineClient.connect(socket);
    expect(client.daemon).toEqual({ version: '27.0.1', apiVersion: '1.41', os: 'linux', arch: 'amd64' });
    const error = await client.json('GET', '/images/x:1/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerApiError);
    expect(error).toMatchObject({ status: 404, daemonMessage: 'No such image: x:1' });
    const streamed = await client.stream('GET', '/images/x:1/json').catch((e: unknown) => e);
    expect(streamed).toMatchObject({ status: 404, daemonMessage: 'No such image: x:1' });
    expect(seen).toEqual(['GET /version', 'GET /v1.41/images/x:1/json', 'GET /v1.41/images/x:1/json']);
  });

  it('picks versions and sockets', () => {
    expect(negotiateApiVersion('1.40')).toBe('1.40');
    expect(negotiateApiVersion('1.47')).toBe('1.41');
    expect(negotiateApiVersion('1.39')).toBeUndefined();
    expect(socketPathOf('unix:///run/user/1000/docker.sock')).toBe('/run/user/1000/docker.sock');
    expect(socketPathOf('tcp://127.0.0.1:2375')).toBeUndefined();
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import {
  compareApiVersions,
  DockerApiError,
  DockerEngineClient,
  MAX_API_VERSION,
  MIN_API_VERSION,
  negotiateApiVersion,
  socketPathOf,
} from './docker-engine-client.js';

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
    expect((error as RunnerError).message).toBe(
      `Docker daemon at unix://${socket} does not answer: no socket there; start dockerd or point DOCKER_HOST at its socket`,
    );
  });

  it('refuses a daemon older than API 1.40, naming both ranges', async () => {
    const socket = await fake((_req, res) => res.end(JSON.stringify({ ApiVersion: '1.38', MinAPIVersion: '1.12', Version: '18.09' })));
    const error = await DockerEngineClient.connect(socket).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerError).message).toBe(
      `Docker Engine 18.09 at unix://${socket} speaks Engine API 1.12–1.38 and the docker runner speaks 1.40–1.52: no version in common; upgrade the engine (Docker 19.03 or newer speaks API 1.40)`,
    );
  });

  it('refuses an answer that gives no API version (not a Docker daemon)', async () => {
    const socket = await fake((_req, res) => res.end('hello'));
    const error = await DockerEngineClient.connect(socket).catch((e: unknown) => e);
    expect((error as RunnerError).code).toBe('UNAVAILABLE');
    expect((error as RunnerError).message).toBe(
      `the daemon at unix://${socket} gives no usable Engine API version (ApiVersion missing, MinAPIVersion missing); the docker runner speaks 1.40–1.52`,
    );
  });

  it("negotiates the API version and reports the daemon's error messages", async () => {
    const seen: string[] = [];
    const socket = await fake((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/version') return res.end(JSON.stringify({ ApiVersion: '1.45', MinAPIVersion: '1.24', Version: '27.0.1', Os: 'linux', Arch: 'amd64' }));
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such image: x:1' }));
    });
    const client = await DockerEngineClient.connect(socket);
    expect(client.daemon).toEqual({
      version: '27.0.1',
      apiVersion: '1.45',
      apiVersions: { min: '1.24', max: '1.45' },
      engine: 'Docker Engine',
      os: 'linux',
      arch: 'amd64',
    });
    const error = await client.json('GET', '/images/x:1/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerApiError);
    expect(error).toMatchObject({ status: 404, daemonMessage: 'No such image: x:1' });
    const streamed = await client.stream('GET', '/images/x:1/json').catch((e: unknown) => e);
    expect(streamed).toMatchObject({ status: 404, daemonMessage: 'No such image: x:1' });
    expect(seen).toEqual(['GET /version', 'GET /v1.45/images/x:1/json', 'GET /v1.45/images/x:1/json']);
  });

  it("speaks the daemon's newest API version up to the newest this client knows, as the Docker CLI does", () => {
    expect([MIN_API_VERSION, MAX_API_VERSION]).toEqual(['1.40', '1.52']);
    expect(negotiateApiVersion('1.41', '1.12')).toBe('1.41'); // Debian's Docker 20.10
    expect(negotiateApiVersion('1.41', '1.24')).toBe('1.41'); // Podman 4's compatible service
    expect(negotiateApiVersion('1.40')).toBe('1.40'); // no MinAPIVersion given
    expect(negotiateApiVersion('1.47', '1.24')).toBe('1.47');
    expect(negotiateApiVersion('1.52', '1.44')).toBe('1.52'); // Docker 29
    expect(negotiateApiVersion('1.56', '1.44')).toBe('1.52'); // newer than this client: its newest
    expect(negotiateApiVersion('1.9', '1.9')).toBeUndefined(); // 1.9 < 1.40: minors compare as numbers
    expect(negotiateApiVersion('1.100', '1.44')).toBe('1.52');
  });

  it('finds no version when the ranges do not overlap or a version is malformed', () => {
    expect(negotiateApiVersion('1.39', '1.12')).toBeUndefined(); // daemon too old
    expect(negotiateApiVersion('1.24', '1.12')).toBeUndefined();
    expect(negotiateApiVersion('1.70', '1.60')).toBeUndefined(); // daemon too new
    expect(negotiateApiVersion('1.60', '1.53')).toBeUndefined();
    expect(negotiateApiVersion('1.60', '1.52')).toBe('1.52'); // the edge: both accept 1.52
    expect(negotiateApiVersion('1.40', '1.40')).toBe('1.40');
    expect(negotiateApiVersion('v1.41')).toBeUndefined();
    expect(negotiateApiVersion('1.41', 'latest')).toBeUndefined();
    expect(negotiateApiVersion('')).toBeUndefined();
  });

  it('orders API versions numerically', () => {
    expect(compareApiVersions('1.9', '1.10')).toBeLessThan(0);
    expect(compareApiVersions('1.52', '1.52')).toBe(0);
    expect(compareApiVersions('2.0', '1.99')).toBeGreaterThan(0);
  });

  it('reads sockets from DOCKER_HOST', () => {
    expect(socketPathOf('unix:///run/user/1000/docker.sock')).toBe('/run/user/1000/docker.sock');
    expect(socketPathOf('tcp://127.0.0.1:2375')).toBeUndefined();
  });
});

import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { StorageError } from '@bioimageit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveOmeroOptions } from '../omero-options.js';
import { OmeroHttp } from './omero-http.js';
import { Redactor } from './redact.js';

/** A server that accepts connections and never answers (the red-team "black hole"). */
async function blackHole(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('OmeroHttp: one deadline for a request and all its retries', () => {
  let hole: Awaited<ReturnType<typeof blackHole>> | undefined;
  afterEach(() => hole?.close());

  it('gives up on a server that never answers once the deadline has passed, naming the setting (was: 120 s x 5 tries)', async () => {
    hole = await blackHole();
    const http = new OmeroHttp({ baseUrl: hole.url, redactor: new Redactor(), deadlineMs: 1_500, sleep: () => Promise.resolve() });
    const error = await http.send({ method: 'GET', path: '/api/' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('IO');
    expect((error as StorageError).message).toMatch(
      /^OMERO\.web http:\/\/127\.0\.0\.1:\d+: GET \/api\/ failed: no answer within [\d.]+ s over 1 try \(the limit is BIOIMAGEIT_OMERO_TIMEOUT, 1\.5 s\)$/,
    );
    // One try used the whole deadline: no retry was started after it.
    expect(http.sent).toBe(1);
    expect(hole.connections()).toBe(1);
  });

  it('retries within the deadline while tries are short (each silence bounded by the per-try timeout)', async () => {
    hole = await blackHole();
    const http = new OmeroHttp({ baseUrl: hole.url, redactor: new Redactor(), timeoutMs: 200, deadlineMs: 5_000, sleep: () => Promise.resolve() });
    await expect(http.send({ method: 'GET', path: '/api/' })).rejects.toThrow(/no answer within [\d.]+ s over 5 tries/);
    expect(http.sent).toBe(5);
  });

  it('reads BIOIMAGEIT_OMERO_TIMEOUT in seconds and refuses a value that is not a positive number', () => {
    expect(resolveOmeroOptions({ env: { HOME: '/h', BIOIMAGEIT_OMERO_TIMEOUT: '7.5' } }).deadlineMs).toBe(7_500);
    expect(resolveOmeroOptions({ env: { HOME: '/h' } }).deadlineMs).toBeUndefined();
    for (const bad of ['0', '-3', 'soon']) {
      expect(() => resolveOmeroOptions({ env: { HOME: '/h', BIOIMAGEIT_OMERO_TIMEOUT: bad } })).toThrow(
        `BIOIMAGEIT_OMERO_TIMEOUT must be a positive number of seconds, not '${bad}'`,
      );
    }
  });
});

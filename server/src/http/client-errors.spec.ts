import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

/** Sends raw bytes to the server and returns everything it answers until it closes. */
function raw(port: number, text: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString()));
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(out)?.[1] ?? 0), body: out.slice(out.indexOf('\r\n\r\n') + 4) }));
    socket.on('error', reject);
    socket.end(text);
  });
}

/** Issue 16 item 11: a 100k-character `where` reset the connection; empty Host headers must not pass the host check. */
describe('requests node:http cannot parse, and Host headers', () => {
  let fixture: ServedFixture;
  beforeAll(async () => {
    fixture = await serveFixture('bioimageit-client-errors-');
  });
  afterAll(async () => fixture?.cleanup());

  it('answers a 100k-character where with 414 and a JSON message, then keeps serving', async () => {
    const where = encodeURIComponent(`Population=${'a'.repeat(100_000)}`);
    const answer = await raw(fixture.server.port, `GET /api/experiments/${fixture.experimentId}/items?where=${where} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(answer.status).toBe(414);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'URI_TOO_LONG', area: 'api', message: expect.stringContaining("a query ('where') may hold 4000 characters") },
    });
    const long = await fetch(`${fixture.base}/api/experiments/${fixture.experimentId}/items?where=${encodeURIComponent('a'.repeat(5000))}`);
    expect(long.status).toBe(400);
    expect((await fetch(`${fixture.base}/api/experiments`)).status).toBe(200);
  });

  it('answers oversized headers with 431 and garbage with 400, each as JSON', async () => {
    const headers = await raw(fixture.server.port, `GET /api/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: c=${'x'.repeat(20_000)}\r\n\r\n`);
    expect(headers.status).toBe(431);
    expect(JSON.parse(headers.body).error.code).toBe('HEADERS_TOO_LARGE');
    const garbage = await raw(fixture.server.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage.status).toBe(400);
    expect(JSON.parse(garbage.body).error).toMatchObject({ code: 'BAD_REQUEST', area: 'api' });
  });

  it('refuses an empty, missing or port-only Host on a loopback server', async () => {
    for (const request of [
      'GET /api/experiments HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n',
      'GET /api/experiments HTTP/1.1\r\nHost: :8765\r\nConnection: close\r\n\r\n',
      'GET /api/experiments HTTP/1.0\r\n\r\n',
    ]) {
      const answer = await raw(fixture.server.port, request);
      expect(answer.status, request).toBe(403);
      expect(JSON.parse(answer.body).error.message).toBe("Host '(none)' is not this server's address (use 127.0.0.1 or localhost)");
    }
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { FakeOmeroWeb } from '../../test/fake-omero/fake-omero-web.js';
import { OmeroClient } from './omero-client.js';

const tls = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'tls');
const cert = readFileSync(path.join(tls, 'localhost-cert.pem'), 'utf8');
const key = readFileSync(path.join(tls, 'localhost-key.pem'), 'utf8');

let fake: FakeOmeroWeb;
beforeEach(async () => {
  fake = new FakeOmeroWeb({ tls: { key, cert } });
  fake.addUser({ userName: 'ben', password: 'pw' });
  await fake.start();
});
afterEach(() => fake.stop());

const credentials = async () => ({ username: 'ben', password: 'pw' });

describe('OmeroClient over HTTPS', () => {
  it('verifies TLS by default: a certificate from an unknown CA is refused', async () => {
    const client = new OmeroClient({ baseUrl: fake.url, credentials, retry: { retries: 0 } });
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/GET \/api\/ failed: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
  });

  it('trusts a given CA, and sends a same-origin https Referer on unsafe requests as Django requires', async () => {
    const client = new OmeroClient({ baseUrl: fake.url, credentials, ca: cert });
    await client.connect();
    const login = fake.requests.find((r) => r.path === '/api/v0/login/')!;
    expect(login.status).toBe(200);
    expect(login.headers['referer']).toBe(`${fake.url}/webclient/`);
    expect(fake.requests.filter((r) => r.method === 'GET').every((r) => r.headers['referer'] === undefined)).toBe(true);
  });

  it("is refused by the server without that Referer (the fake applies Django's HTTPS rule)", async () => {
    const client = new OmeroClient({ baseUrl: fake.url, credentials, ca: cert });
    await client.connect();
    const url = client.http.url('/webclient/annotate_map/');
    const headers = {
      cookie: await client.http.jar.getCookieString(url),
      'x-csrftoken': client.http.csrfToken!,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const { request } = await import('node:https');
    const reply = await new Promise<string>((resolve, reject) => {
      const req = request(url, { method: 'POST', ca: cert, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      });
      req.on('error', reject);
      req.end('image=1&mapAnnotation=[]');
    });
    expect(reply).toBe('403 {"message": "CSRF Failed: Referer checking failed - no Referer."}');
  });
});

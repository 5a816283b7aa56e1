import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { FakeOmeroWeb } from '../../test/fake-omero/fake-omero-web.js';
import { OmeroClient, type OmeroClientOptions } from './omero-client.js';

const PASSWORD = 'S3cret-Passw0rd!';
let fake: FakeOmeroWeb;
let now = 0;

beforeEach(async () => {
  now = 1_000_000;
  fake = new FakeOmeroWeb({ idleMs: 600_000, now: () => now });
  fake.addUser({ userName: 'ben', password: PASSWORD });
  await fake.start();
});

afterEach(async () => {
  await fake.stop();
});

const client = (options: Partial<OmeroClientOptions> = {}): OmeroClient =>
  new OmeroClient({ baseUrl: fake.url, credentials: async () => ({ username: 'ben', password: PASSWORD }), retry: { baseDelayMs: 1 }, ...options });

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

describe('OmeroClient', () => {
  it('discovers the API, fetches the CSRF token and logs in with a form body', async () => {
    const c = client();
    const context = await c.connect();
    expect(context).toMatchObject({ userName: 'ben', userId: 3, groupId: 5 });
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /api/ 200',
      'GET /api/v0/ 200',
      'GET /api/v0/servers/ 200',
      'GET /api/v0/token/ 200',
      'POST /api/v0/login/ 200',
    ]);
    const login = fake.requests[4]!;
    expect(login.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(login.headers['x-csrftoken']).toHaveLength(64);
    expect(String(login.headers['cookie'])).toMatch(/csrftoken=\w{32}/);
    expect(await c.get('/api/v0/m/projects/')).toMatchObject({ data: [], meta: { totalCount: 0, maxLimit: 500 } });
    expect(String(fake.requests.at(-1)!.headers['cookie'])).toMatch(/sessionid=/);
  });

  it('logs in with a JSON body only when asked (omero-web >= 5.29); an older server sees an empty form', async () => {
    const c = client({ jsonLogin: true });
    await c.connect();
    expect(fake.requests.find((r) => r.path === '/api/v0/login/')?.headers['content-type']).toBe('application/json');
    await fake.stop();
    fake = new FakeOmeroWeb({ jsonLogin: false });
    fake.addUser({ userName: 'ben', password: PASSWORD });
    await fake.start();
    const error = await failure(client({ jsonLogin: true }).connect());
    expect(error.message).toContain('failed: Username: This field is required. Password: This field is required. Server: This field is required.');
  });

  it('gives one clear error for a wrong password, without retrying', async () => {
    const c = client({ credentials: async () => ({ username: 'ben', password: 'wrong-password' }) });
    const error = await failure(c.get('/api/v0/m/projects/'));
    expect(error.code).toBe('INVALID');
    expect(error.message).toBe(`OMERO login to ${fake.url} as ben failed: Connection not available, please check your user name and password.`);
    expect(fake.count('/api/v0/login/')).toBe(1);
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong-password');
  });

  it('reports a CSRF 403 as a CSRF failure', async () => {
    const c = client();
    await c.connect();
    c.http.csrfToken = 'A'.repeat(64);
    const error = await failure(c.postForm('/webclient/annotate_map/', new URLSearchParams({ image: '1', mapAnnotation: '[]' })));
    expect(error.message).toContain('rejected POST /webclient/annotate_map/ as a CSRF failure');
    expect(error.message).toContain("CSRF Failed: CSRF token from the 'X-Csrftoken' HTTP header incorrect.");
    expect(error.details).toMatchObject({ csrf: true, status: 403 });
  });

  it('renews an expired session once and resends the request', async () => {
    const c = client();
    await c.connect();
    now += 700_000;
    const [a, b] = await Promise.all([c.get('/api/v0/m/projects/'), c.get('/webclient/api/annotations/', new URLSearchParams({ image: '1' }))]);
    expect(a).toMatchObject({ data: [] });
    expect(b).toMatchObject({ annotations: [] });
    expect(fake.count('/api/v0/login/')).toBe(2);
  });

  it('retries idempotent requests on 5xx and network errors, but never a write that may have happened', async () => {
    const c = client();
    await c.connect();
    fake.inject((m, p) => m === 'GET' && p === '/api/v0/m/projects/', 2, 500);
    fake.inject((m, p) => m === 'GET' && p === '/api/v0/m/projects/', 1, 0);
    expect(await c.get('/api/v0/m/projects/')).toMatchObject({ data: [] });
    expect(fake.count('/api/v0/m/projects/')).toBe(4);
    fake.inject((m, p) => m === 'POST' && p === '/webclient/annotate_map/', 1, 500);
    const error = await failure(c.postForm('/webclient/annotate_map/', new URLSearchParams({ image: '1', mapAnnotation: '[["a","b"]]' })));
    expect(error.message).toContain('answered 500');
    expect(fake.count('/webclient/annotate_map/')).toBe(1);
  });

  it('pages through a listing at the 500 cap with ceil(total/500) requests', async () => {
    const dataset = fake.state.addDataset('many', 5, 3);
    for (let i = 0; i < 1234; i++) fake.state.addImage(dataset.id, `img-${String(i).padStart(5, '0')}.tif`, 3);
    const c = client({ pageSize: 1000 });
    const images = await c.list<{ '@id': number; Name: string }>(`/api/v0/m/datasets/${dataset.id}/images/`);
    expect(images).toHaveLength(1234);
    expect(new Set(images.map((i) => i['@id'])).size).toBe(1234);
    expect(images[0]!.Name).toBe('img-00000.tif');
    expect(fake.count(`/api/v0/m/datasets/${dataset.id}/images/`)).toBe(3);
  });

  it('never follows a redirect to the login page: without a session the webclient answers 403 to XHR', async () => {
    const c = client({ credentials: async () => undefined });
    const error = await failure(c.get('/webclient/api/annotations/', new URLSearchParams({ image: '1' })));
    expect(error.message).toContain('not logged in to OMERO.web');
    const raw = await c.http.send({ method: 'GET', path: '/webclient/api/annotations/' });
    expect(raw.status).toBe(403);
    expect(raw.body.length).toBe(0);
  });

  it('joins a saved session key without credentials, and says how to log in again once it died', async () => {
    const key = (await client().connect()).sessionUuid;
    const joined = client({ credentials: undefined, sessionKey: key });
    expect((await joined.connect()).sessionUuid).toBe(key);
    now += 700_000;
    const error = await failure(client({ credentials: undefined, sessionKey: key }).get('/api/v0/m/projects/'));
    expect(error.message).toContain(`run 'bioimageit omero login ${fake.url}' again`);
    expect(error.message).not.toContain(key);
  });

  it('keeps an idle session alive with keepalive pings', async () => {
    await fake.stop();
    fake = new FakeOmeroWeb({ idleMs: 1_000 });
    fake.addUser({ userName: 'ben', password: PASSWORD });
    await fake.start();
    const c = client({ keepAliveMs: 100 });
    await c.connect();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await c.get('/api/v0/m/projects/')).toMatchObject({ data: [] });
    expect(fake.count('/api/v0/login/')).toBe(1);
    expect(fake.count('/webclient/keepalive_ping/')).toBeGreaterThanOrEqual(10);
    c.close();
  });

  it('logs out and forgets the session', async () => {
    const c = client();
    const context = await c.connect();
    await c.logout();
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/webclient/logout/', status: 302 });
    expect(fake.auth.byKey(context.sessionUuid)).toBeUndefined();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';
import { FakeOmeroWeb } from './fake-omero-web.js';

/**
 * The fake follows the recorded OMERO.web 5.31 behaviour (shared/omero-fixtures), not the
 * client's convenience: these checks talk to it with plain fetch, as any client would.
 */
let fake: FakeOmeroWeb;
let now = 0;
beforeEach(async () => {
  now = 1_000_000;
  fake = new FakeOmeroWeb({ idleMs: 600_000, now: () => now });
  fake.addUser({ userName: 'ben', password: 'secret' });
  await fake.start();
});
afterEach(() => fake.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${fake.url}${path}`, { headers, redirect: 'manual' });

/** CSRF cookie + masked token, then a form login; returns the cookies and token. */
async function login(): Promise<{ cookie: string; token: string }> {
  const res = await get('/api/v0/token/');
  const csrf = /csrftoken=(\w+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  const token = ((await res.json()) as { data: string }).data;
  const body = new URLSearchParams({ server: '1', username: 'ben', password: 'secret' });
  const logged = await fetch(`${fake.url}/api/v0/login/`, { method: 'POST', body, headers: { cookie: `csrftoken=${csrf}`, 'x-csrftoken': token } });
  expect(logged.status).toBe(200);
  const session = /sessionid=(\w+)/.exec(logged.headers.get('set-cookie') ?? '')![1]!;
  return { cookie: `csrftoken=${csrf}; sessionid=${session}`, token };
}

describe('fake OMERO.web', () => {
  it('serves discovery bodies with its own origin and the API version header only on api views', async () => {
    const res = await get('/api/');
    expect(res.headers.get('x-omero-apiversion')).toBe('0.2');
    expect(await res.json()).toEqual({ data: [{ version: '0', 'url:base': `${fake.url}/api/v0/` }] });
    const text = await (await get('/api/v0/')).text();
    expect(text.startsWith('{"url:experimenters": ')).toBe(true);
    expect(JSON.parse(text)['url:schema']).toBe('http://www.openmicroscopy.org/Schemas/OME/2016-06');
    const denied = await get('/api/v0/m/projects/');
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-omero-apiversion')).toBeNull();
    expect(await denied.json()).toEqual(fixture('api-v0-not-logged-in-403'));
  });

  it('hands out a 32-char CSRF cookie and a fresh 64-char masked token on every call', async () => {
    const a = await get('/api/v0/token/');
    const cookie = /csrftoken=(\w+); expires=[^;]+; Max-Age=31449600; Path=\/; SameSite=Lax/.exec(a.headers.get('set-cookie') ?? '');
    expect(cookie?.[1]).toHaveLength(32);
    const first = ((await a.json()) as { data: string }).data;
    const second = ((await (await get('/api/v0/token/', { cookie: `csrftoken=${cookie![1]}` })).json()) as { data: string }).data;
    expect(first).toHaveLength(64);
    expect(second).not.toBe(first);
  });

  it('answers CSRF failures with the exact 5.29+ messages', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${fake.url}/api/v0/login/`, {
        method: 'POST',
        body: 'server=1&username=ben&password=wrong',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    expect(await (await post({})).json()).toEqual(fixture('csrf-403-cookie-not-set'));
    const secret = 'a'.repeat(32);
    expect(await (await post({ cookie: `csrftoken=${secret}` })).json()).toEqual(fixture('csrf-403-token-missing'));
    expect(await (await post({ cookie: `csrftoken=${secret}`, 'x-csrftoken': 'b'.repeat(32) })).json()).toEqual(fixture('csrf-403-token-incorrect'));
    const wrongUser = await post({ cookie: `csrftoken=${secret}`, 'x-csrftoken': secret });
    expect(wrongUser.status).toBe(403);
    expect(await wrongUser.json()).toEqual(fixture('api-v0-login-403-bad-credentials'));
  });

  it('checks the login form as LoginForm does', async () => {
    const secret = 'c'.repeat(32);
    const post = (body: string) =>
      fetch(`${fake.url}/api/v0/login/`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${secret}`, 'x-csrftoken': secret },
      });
    expect(await (await post('password=x')).json()).toEqual(fixture('api-v0-login-403-missing-fields'));
    expect(await (await post('server=1&username=guest&password=x')).json()).toEqual(fixture('api-v0-login-403-guest'));
    expect(await (await post('server=1&username=ben&password=')).json()).toEqual(fixture('api-v0-login-403-no-password'));
    expect((await get('/api/v0/login/')).status).toBe(405);
  });

  it('redirects the webclient to the login page without the XHR header and answers a bare 403 with it', async () => {
    const plain = await get('/webclient/api/annotations/?image=1');
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toBe('/webclient/login/?url=%2Fwebclient%2Fapi%2Fannotations%2F%3Fimage%3D1');
    const xhr = await get('/webclient/api/annotations/?image=1', { 'x-requested-with': 'XMLHttpRequest' });
    expect(xhr.status).toBe(403);
    expect(await xhr.text()).toBe('');
  });

  it('redirects a missing trailing slash with 301', async () => {
    const res = await get('/api/v0/m/projects?limit=5');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/api/v0/m/projects/?limit=5');
  });

  it('caps pages silently at maxLimit 500 and reports meta', async () => {
    const { cookie } = await login();
    const dataset = fake.state.addDataset('d', 5, 3);
    for (let i = 0; i < 600; i++) fake.state.addImage(dataset.id, `i${i}`, 3);
    const body = (await (await get(`/api/v0/m/datasets/${dataset.id}/images/?limit=1000`, { cookie })).json()) as { data: unknown[]; meta: unknown };
    expect(body.data).toHaveLength(500);
    expect(body.meta).toEqual({ offset: 0, limit: 500, maxLimit: 500, totalCount: 600 });
    expect((await get('/api/v0/m/projects/?limit=foo', { cookie })).status).toBe(400);
  });

  it('ends an idle session after the timeout', async () => {
    const { cookie } = await login();
    expect((await get('/api/v0/m/projects/', { cookie })).status).toBe(200);
    now += 600_001;
    expect((await get('/api/v0/m/projects/', { cookie })).status).toBe(403);
  });

  it('replaces all pairs on annotate_map update, deletes on an empty list, and ignores body ids when the URL has a query', async () => {
    const { cookie, token } = await login();
    const image = fake.state.addImage(fake.state.addDataset('d', 5, 3).id, 'a.tif', 3);
    const post = (body: URLSearchParams, query = '') =>
      fetch(`${fake.url}/webclient/annotate_map/${query}`, { method: 'POST', body, headers: { cookie, 'x-csrftoken': token } }).then((r) => r.json());
    const created = (await post(new URLSearchParams({ image: String(image.id), mapAnnotation: '[["a","1"],["b","2"]]' }))) as { annId: number[] };
    expect(created.annId).toHaveLength(1);
    expect(await post(new URLSearchParams({ image: String(image.id), annId: String(created.annId[0]), mapAnnotation: '[["c","3"]]' }))).toEqual({
      annId: [String(created.annId[0])],
    });
    expect(fake.state.annotations.get(created.annId[0]!)?.values).toEqual([['c', '3']]);
    expect(await post(new URLSearchParams({ image: String(image.id), mapAnnotation: '[["x","y"]]' }), '?foo=1')).toEqual({ annId: [] });
    expect(await post(new URLSearchParams({ image: String(image.id), annId: String(created.annId[0]), mapAnnotation: '[]' }))).toEqual(
      fixture('webclient-annotate-map-delete-200'),
    );
    expect(fake.state.annotations.has(created.annId[0]!)).toBe(false);
  });

  it('takes multipart annotate_file uploads and serves them back', async () => {
    const { cookie, token } = await login();
    const image = fake.state.addImage(fake.state.addDataset('d', 5, 3).id, 'a.tif', 3);
    const form = new FormData();
    form.append('image', String(image.id));
    form.append('annotation_file', new Blob(['hello']), 'result.csv');
    const res = (await (
      await fetch(`${fake.url}/webclient/annotate_file/`, { method: 'POST', body: form, headers: { cookie, 'x-csrftoken': token } })
    ).json()) as { fileIds: number[] };
    expect(res.fileIds).toHaveLength(1);
    const listed = (await (await get(`/webclient/api/annotations/?type=file&image=${image.id}`, { cookie })).json()) as {
      annotations: { file: { name: string; size: number } }[];
    };
    expect(listed.annotations[0]?.file).toMatchObject({ name: 'result.csv', size: 5 });
    expect(await (await get(`/webclient/annotation/${res.fileIds[0]}/`, { cookie })).text()).toBe('hello');
  });
});

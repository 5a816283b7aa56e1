import { fixture, withOrigin } from './fixtures.js';
import { apiJson, json, type FakeRequest, type FakeResponse } from './fake-http.js';
import { marshalDataset, marshalImage, marshalProject } from './fake-marshal.js';
import type { FakeAuth } from './fake-auth.js';
import type { FakeState } from './fake-state.js';

const SCHEMA = 'http://www.openmicroscopy.org/Schemas/OME/2016-06#';

/** What the `/api/` routes need from the server. */
export interface ApiContext {
  readonly state: FakeState;
  readonly auth: FakeAuth;
  readonly origin: string;
  /** Port of the fake's stand-in for the OMERO server's Ice endpoint (where `omero import` connects). */
  readonly icePort: number;
  /** omero-web version rules: JSON-body login only from 5.29. */
  readonly jsonLogin: boolean;
  /** The CSRF secret of the request's cookie (a new one when absent) and its Set-Cookie header. */
  csrfCookie(req: FakeRequest): { secret: string; setCookie: string };
  /** A fresh 64-char masking of the secret, as `get_token()` returns on every call. */
  mask(secret: string): string;
}

const notFound = (type: string, id: string): FakeResponse => {
  const body = fixture<{ message: string; stacktrace: string }>('api-v0-m-project-404');
  return apiJson(404, { message: `${type} ${id} not found`, stacktrace: body.stacktrace.replaceAll('Project 999', `${type} ${id}`) });
};

/** Offset/limit exactly as `api_query.get_wrapper_params`: default 200, silent cap at 500. */
function page<T>(req: FakeRequest, all: readonly T[]): { items: T[]; meta: Record<string, number> } | FakeResponse {
  const raw = { offset: req.url.searchParams.get('offset'), limit: req.url.searchParams.get('limit') };
  for (const v of Object.values(raw)) if (v !== null && !/^-?\d+$/.test(v)) return apiJson(400, { message: `invalid literal for int() with base 10: '${v}'` });
  const offset = Math.max(0, Number(raw.offset ?? 0));
  let limit = raw.limit === null ? 200 : Number(raw.limit);
  if (limit < 0) limit = 200;
  limit = Math.min(limit, 500);
  return { items: all.slice(offset, offset + limit), meta: { offset, limit, maxLimit: 500, totalCount: all.length } };
}

/** `ORDER BY lower(obj.name)` as the server's queries sort (code-point order), then id. */
const byName = <T extends { name: string; id: number }>(a: T, b: T): number => {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id - b.id;
};

function inGroup(req: FakeRequest, groupId: number): boolean {
  const g = req.url.searchParams.get('group');
  return g === null || g === '-1' || Number(g) === groupId;
}

function listResponse<T>(req: FakeRequest, all: readonly T[], encode: (x: T) => Record<string, unknown>): FakeResponse {
  const paged = page(req, all);
  return 'status' in paged ? paged : apiJson(200, { data: paged.items.map(encode), meta: paged.meta });
}

/** `/api/` routes; undefined when the path is not one of them. */
export function apiRoute(ctx: ApiContext, req: FakeRequest): FakeResponse | undefined {
  const p = req.url.pathname;
  const { state, origin } = ctx;
  if (p === '/api/') return apiJson(200, withOrigin(fixture('api-versions'), origin));
  if (p === '/api/v0/') return apiJson(200, withOrigin(fixture('api-v0-base'), origin));
  if (p === '/api/v0/servers/') return apiJson(200, { data: [{ id: 1, host: '127.0.0.1', port: ctx.icePort, server: 'omero' }] });
  if (p === '/api/v0/token/') {
    const { secret, setCookie } = ctx.csrfCookie(req);
    const response = apiJson(200, { data: ctx.mask(secret) });
    return { ...response, headers: { ...response.headers, 'set-cookie': setCookie, vary: 'Cookie' } };
  }
  if (p === '/api/v0/login/') return login(ctx, req);
  if (!p.startsWith('/api/v0/m/')) return undefined;
  if (req.session === undefined) return json(403, fixture('api-v0-not-logged-in-403'));
  const userId = req.session.userId;
  const m = /^\/api\/v0\/m\/(projects|datasets|images)\/(?:(\d+)\/(?:(datasets|images)\/)?)?$/.exec(p);
  if (m && m[1] === 'images' && m[3] === 'datasets') {
    const all = state.datasetImages
      .filter(([, i]) => i === Number(m[2]))
      .map(([d]) => state.datasets.get(d)!)
      .filter((d) => d && inGroup(req, d.groupId))
      .sort(byName);
    return listResponse(req, all, (d) => marshalDataset(d, origin, 'list'));
  }
  if (p === '/api/v0/m/save/') return save(ctx, req, userId);
  if (!m) return undefined;
  const [, kind, id, sub] = m;
  const childCount = req.url.searchParams.get('childCount') === 'true';
  if (kind === 'projects' && id === undefined) {
    const all = [...state.projects.values()].filter((x) => inGroup(req, x.groupId)).sort(byName);
    return listResponse(req, all, (x) =>
      marshalProject(x, origin, 'list', childCount ? state.projectDatasets.filter(([pp]) => pp === x.id).length : undefined),
    );
  }
  if (kind === 'projects' && sub === 'datasets') {
    if (!state.projects.has(Number(id))) return listResponse(req, [], (x) => x);
    const all = state.projectDatasets
      .filter(([pp]) => pp === Number(id))
      .map(([, d]) => state.datasets.get(d)!)
      .filter((d) => d && inGroup(req, d.groupId))
      .sort(byName);
    return listResponse(req, all, (d) => marshalDataset(d, origin, 'list', childCount ? state.datasetImages.filter(([dd]) => dd === d.id).length : undefined));
  }
  if (kind === 'datasets' && sub === 'images') {
    const all = state.datasetImages
      .filter(([d]) => d === Number(id))
      .map(([, i]) => state.images.get(i)!)
      .filter((i) => i && inGroup(req, i.groupId))
      .sort(byName);
    return listResponse(req, all, (i) => marshalImage(i, origin, 'list'));
  }
  if (id !== undefined && sub === undefined) {
    const n = Number(id);
    if (kind === 'projects') {
      const project = state.projects.get(n);
      if (!project) return notFound('Project', id);
      if (req.method === 'DELETE') {
        const body = marshalProject(project, origin, 'saved');
        state.deleteObject('project', n, false, false);
        return apiJson(200, { data: body });
      }
      return apiJson(200, { data: marshalProject(project, origin, 'single') });
    }
    if (kind === 'datasets') {
      const dataset = state.datasets.get(n);
      if (!dataset) return notFound('Dataset', id);
      if (req.method === 'DELETE') {
        const body = marshalDataset(dataset, origin, 'saved');
        state.deleteObject('dataset', n, false, false);
        return apiJson(200, { data: body });
      }
      return apiJson(200, { data: marshalDataset(dataset, origin, 'single') });
    }
    if (req.method === 'DELETE') return apiJson(405, fixture('api-v0-m-image-delete-405'));
    const image = state.images.get(n);
    return image ? apiJson(200, { data: marshalImage(image, origin, 'single') }) : notFound('Image', id);
  }
  return undefined;
}

function login(ctx: ApiContext, req: FakeRequest): FakeResponse {
  if (req.method !== 'POST') return json(405, fixture('api-v0-login-get-405'));
  let fields = req.form;
  if (ctx.jsonLogin && String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      const body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
      fields = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)]));
    } catch {
      fields = new URLSearchParams();
    }
  }
  const username = fields.get('username') ?? '';
  const password = fields.get('password') ?? '';
  const server = fields.get('server') ?? '';
  if (req.session && username === '' && password === '' && server === '') {
    const user = [...ctx.auth.users.values()].find((u) => u.id === req.session!.userId)!;
    return json(200, eventContext(user, req.session.uuid));
  }
  const errors: string[] = [];
  if (username === '') errors.push('Username: This field is required.');
  else if (username === 'guest') errors.push('Username: Guest account is not supported.');
  if (password === '') errors.push('Password: This field is required.');
  if (server === '') errors.push('Server: This field is required.');
  else if (server !== '1') errors.push('Server: Select a valid choice. That choice is not one of the available choices.');
  if (errors.length > 0) return json(403, { message: errors.join(' ') });
  const ok = ctx.auth.login(username, password);
  if (!ok) return json(403, fixture('api-v0-login-403-bad-credentials'));
  return json(200, eventContext(ok.user, ok.session.uuid), { 'set-cookie': `sessionid=${ok.session.id}; HttpOnly; Path=/; SameSite=Lax` });
}

function eventContext(user: { id: number; userName: string; groupId: number; memberOfGroups: number[] }, uuid: string): unknown {
  const body = fixture<{ eventContext: Record<string, unknown> }>('api-v0-login-200');
  Object.assign(body.eventContext, { sessionUuid: uuid, userId: user.id, userName: user.userName, groupId: user.groupId, memberOfGroups: user.memberOfGroups });
  return body;
}

function save(ctx: ApiContext, req: FakeRequest, userId: number): FakeResponse {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return apiJson(500, { message: 'Expecting value: line 1 column 1 (char 0)', stacktrace: 'Traceback (most recent call last):\n  ...\n' });
  }
  const type = body['@type'];
  if (typeof type !== 'string') return apiJson(400, fixture('api-v0-m-save-400-no-type'));
  const short = type.includes('#') ? type.slice(type.indexOf('#') + 1) : 'None';
  if (!['Project', 'Dataset', 'Screen'].includes(short) || !type.startsWith(SCHEMA)) {
    return apiJson(405, {
      message: `${req.method === 'PUT' ? 'Update' : 'Creation'} of ${short} not supported`,
      stacktrace: 'Traceback (most recent call last):\n  ...\n',
    });
  }
  if (req.method === 'POST' && body['@id'] !== undefined) return apiJson(400, fixture('api-v0-m-save-400-post-with-id'));
  if (req.method === 'PUT' && body['@id'] === undefined) return apiJson(400, fixture('api-v0-m-save-400-put-without-id'));
  const detailsGroup = ((body['omero:details'] as Record<string, unknown> | undefined)?.['group'] as Record<string, unknown> | undefined)?.['@id'];
  const group = req.url.searchParams.get('group') ?? (detailsGroup === undefined ? undefined : String(detailsGroup));
  if (group === undefined) return apiJson(400, fixture('api-v0-m-save-400-no-group'));
  const name = String(body['Name'] ?? '');
  const description = typeof body['Description'] === 'string' ? body['Description'] : undefined;
  const { state, origin } = ctx;
  if (req.method === 'POST') {
    if (short === 'Project') return apiJson(201, { data: marshalProject(state.addProject(name, Number(group), userId, description), origin, 'saved') });
    const d = state.addDataset(name, Number(group), userId);
    if (description !== undefined) d.description = description;
    return apiJson(201, { data: marshalDataset(d, origin, 'saved') });
  }
  const id = Number(body['@id']);
  const target = short === 'Project' ? state.projects.get(id) : state.datasets.get(id);
  if (!target) return notFound(short, String(id));
  target.name = name;
  if (description === undefined) delete target.description;
  else target.description = description;
  return apiJson(200, { data: short === 'Project' ? marshalProject(target, origin, 'saved') : marshalDataset(target, origin, 'saved') });
}

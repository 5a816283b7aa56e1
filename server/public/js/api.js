/** A failed API call: the HTTP status and the server's `{ code, area, message, details }`. */
export class ApiFailure extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code;
    this.area = error?.area;
    this.details = error?.details ?? {};
  }
}

async function call(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    const payload = type.startsWith('application/json') ? await response.json().catch(() => ({})) : {};
    throw new ApiFailure(response.status, payload.error);
  }
  if (type.startsWith('application/json')) return response.json();
  return response.text();
}

const enc = encodeURIComponent;

/** The REST API, one function per operation the GUI uses (see /api/openapi.json). */
export const api = {
  info: () => call('GET', '/api'),
  experiments: () => call('GET', '/api/experiments'),
  experiment: (exp) => call('GET', `/api/experiments/${enc(exp)}`),
  items: (exp, { dataset = 'data', where = '', offset = 0, limit = 50, sort, order } = {}) => {
    const q = new URLSearchParams({ dataset, where, offset: String(offset), limit: String(limit) });
    if (sort) q.set('sort', sort);
    if (order) q.set('order', order);
    return call('GET', `/api/experiments/${enc(exp)}/items?${q}`);
  },
  item: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/items/${enc(id)}`),
  editTags: (exp, id, edit) => call('PATCH', `/api/experiments/${enc(exp)}/items/${enc(id)}/tags`, edit),
  editTagsByQuery: (exp, edit) => call('POST', `/api/experiments/${enc(exp)}/tags`, edit),
  table: (exp, id, { offset = 0, limit = 50 } = {}) => call('GET', `/api/experiments/${enc(exp)}/items/${enc(id)}/table?offset=${offset}&limit=${limit}`),
  imageInfo: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/items/${enc(id)}/image`),
  /** The server's drawing of an image: `{ z | projection: 'max', t, channels, c, region, size }` (see GET …/preview.png). */
  previewUrl: (exp, id, { z = 0, projection = 'none', t, channels, c, region, size = 512 } = {}) => {
    const q = new URLSearchParams(projection === 'max' ? { projection } : { z: String(z) });
    if (t !== undefined) q.set('t', String(t));
    if (channels !== undefined) q.set('channels', channels);
    else if (c !== undefined) q.set('c', String(c));
    if (region !== undefined) q.set('region', region);
    q.set('size', String(size));
    return `/api/experiments/${enc(exp)}/items/${enc(id)}/preview.png?${q}`;
  },
  /** An animated PNG item as stored (the browser plays it). */
  animationUrl: (exp, id) => `/api/experiments/${enc(exp)}/items/${enc(id)}/animation.png`,
  /** The tracks among the inputs of the job that made an image (`source: null` when none). */
  tracks: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/items/${enc(id)}/tracks`),
  thumbnailUrl: (exp, id, size = 128) => `/api/experiments/${enc(exp)}/items/${enc(id)}/thumbnail.png?size=${size}`,
  lineage: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/items/${enc(id)}/lineage`),
  tools: () => call('GET', '/api/tools'),
  tool: (id) => call('GET', `/api/tools/${enc(id)}`),
  startRun: (exp, body) => call('POST', `/api/experiments/${enc(exp)}/runs`, body),
  pipelines: () => call('GET', '/api/pipelines'),
  startPipeline: (exp, name) => call('POST', `/api/experiments/${enc(exp)}/pipelines/runs`, { pipeline: name }),
  pipelineRun: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/pipelines/runs/${enc(id)}`),
  runs: (exp) => call('GET', `/api/experiments/${enc(exp)}/runs`),
  run: (exp, id) => call('GET', `/api/experiments/${enc(exp)}/runs/${enc(id)}`),
  cancelRun: (exp, id) => call('POST', `/api/experiments/${enc(exp)}/runs/${enc(id)}/cancel`),
  log: (exp, run, job, stream) => call('GET', `/api/experiments/${enc(exp)}/runs/${enc(run)}/jobs/${enc(job)}/log?stream=${stream}`),
  provenanceUrl: (exp, format) => `/api/experiments/${enc(exp)}/provenance?format=${format}`,
};

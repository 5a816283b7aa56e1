import { encodeTiff } from '@bioimageit/core';
import { fixture } from './fixtures.js';
import { json, text, type FakeRequest, type FakeResponse } from './fake-http.js';
import type { FakeAnnotation, FakeState, ParentType } from './fake-state.js';

const OBJECT_TYPES: readonly ParentType[] = ['image', 'dataset', 'project'];
const CLASS_OF: Record<ParentType, string> = { image: 'ImageI', dataset: 'DatasetI', project: 'ProjectI' };
const CLIENT_NS = 'openmicroscopy.org/omero/client/mapAnnotation';

/** Object ids named in a form or query (`image=1&image=2&dataset=3`). */
function objects(params: URLSearchParams): [ParentType, number][] {
  return OBJECT_TYPES.flatMap((t) =>
    params
      .getAll(t)
      .flatMap((v) => v.split(','))
      .filter((v) => v !== '')
      .map((v) => [t, Number(v)] as [ParentType, number]),
  );
}

function parentName(state: FakeState, type: ParentType, id: number): string {
  return (type === 'project' ? state.projects.get(id) : type === 'dataset' ? state.datasets.get(id) : state.images.get(id))?.name ?? '';
}

const PERMS = { canDelete: true, canAnnotate: true, canLink: true, canEdit: true };

/** `/webclient/` and `/webgateway/` routes needing a session; undefined when not one of them. */
export function webclientRoute(state: FakeState, req: FakeRequest, userId: number, deleteDelayMs = 0): FakeResponse | undefined {
  const p = req.url.pathname;
  if (p === '/webclient/api/annotations/' && req.method === 'GET') return annotations(state, req);
  if (p === '/webclient/annotate_map/' && req.method === 'POST') return annotateMap(state, req, userId);
  if (p === '/webclient/annotate_tags/' && req.method === 'POST') return annotateTags(state, req, userId);
  if (p === '/webclient/annotate_file/' && req.method === 'POST') return annotateFile(state, req, userId);
  if (p === '/webclient/api/links/' && req.method === 'POST') return links(state, req);
  if (p === '/webclient/action/deletemany/' && req.method === 'POST') {
    const child = req.form.get('child') === 'true';
    const anns = req.form.get('anns') === 'true';
    // The real server queues the delete and answers at once (progress in /webclient/activities_json/).
    const run = () => {
      for (const [t, id] of objects(req.form)) state.deleteObject(t, id, child, anns);
    };
    if (deleteDelayMs > 0) setTimeout(run, deleteDelayMs);
    else run();
    return json(200, fixture('webclient-action-ok-200'));
  }
  let m = /^\/webclient\/action\/delete\/(file|tag|comment)\/(\d+)\/$/.exec(p);
  if (m && req.method === 'POST') {
    state.deleteAnnotation(Number(m[2]));
    return json(200, fixture('webclient-action-ok-200'));
  }
  m = /^\/webclient\/annotation\/(\d+)\/$/.exec(p);
  if (m) {
    const file = state.annotations.get(Number(m[1]))?.file;
    if (!file) return text(404, '<h1>Not Found</h1>');
    return {
      status: 200,
      headers: {
        'content-type': 'application/force-download',
        'content-disposition': `attachment; filename=${file.name}`,
        'content-length': String(file.bytes.length),
      },
      body: file.bytes,
    };
  }
  m = /^\/webgateway\/archived_files\/download\/(\d+)\/$/.exec(p);
  if (m) {
    const image = state.images.get(Number(m[1]));
    if (!image) return text(404, '');
    if (!image.original) return text(500, 'Could not find any archived files for this image', 'text/plain');
    return {
      status: 200,
      headers: {
        'content-type': 'application/force-download',
        'content-disposition': `attachment; filename=${image.original.name}`,
        'content-length': String(image.original.bytes.length),
      },
      body: image.original.bytes,
    };
  }
  m = /^\/webgateway\/render_ome_tiff\/i\/(\d+)\/$/.exec(p);
  if (m) {
    const image = state.images.get(Number(m[1]));
    if (!image) return text(404, '');
    const data = new Uint16Array(image.sizeX * image.sizeY).map((_, i) => (i * 7) % 4096);
    const tiff = Buffer.from(encodeTiff({ data, shape: [image.sizeY, image.sizeX], dtype: 'uint16', axes: 'YX' }, { ome: true }));
    return {
      status: 200,
      headers: { 'content-type': 'image/tiff', 'content-disposition': `attachment; filename=${image.name}.ome.tiff`, 'content-length': String(tiff.length) },
      body: tiff,
    };
  }
  m = /^\/webgateway\/original_file_paths\/(\d+)\/$/.exec(p);
  if (m) {
    const image = state.images.get(Number(m[1]));
    if (!image) return text(404, '');
    const names = image.original ? [image.original.name] : [];
    return json(200, {
      repo: names.map((n) => `ben_3/2024-03/14/10-15-30.123/${n}`),
      client: names.map((n) => `/home/ben/${n}`),
      fileset: { id: image.id + 900_000 },
    });
  }
  return undefined;
}

function annotations(state: FakeState, req: FakeRequest): FakeResponse {
  const wanted = objects(req.url.searchParams);
  if (wanted.length === 0) return json(200, fixture('webclient-api-annotations-empty'));
  const type = req.url.searchParams.get('type');
  const ns = req.url.searchParams.get('ns');
  const kind = type === null ? undefined : ({ map: 'MapAnnotationI', tag: 'TagAnnotationI', file: 'FileAnnotationI' } as Record<string, string>)[type];
  const keys = new Set(wanted.map(([t, id]) => `${t}:${id}`));
  const out: Record<string, unknown>[] = [];
  const owners = new Set<number>();
  for (const link of state.links) {
    if (!keys.has(`${link.parentType}:${link.parentId}`)) continue;
    const ann = state.annotations.get(link.annId);
    if (!ann || (kind !== undefined && ann.kind !== kind) || (type !== null && kind === undefined) || (ns !== null && ann.ns !== ns)) continue;
    owners.add(ann.ownerId);
    out.push(marshal(state, ann, link));
  }
  // `page` (1-based) and `limit` (default omero.web.page_size * 100 = 20000), as the real view pages.
  const limit = Number(req.url.searchParams.get('limit') ?? 20_000);
  const pageNo = Math.max(1, Number(req.url.searchParams.get('page') ?? 1));
  out.splice(0, (pageNo - 1) * limit);
  out.splice(limit);
  const experimenters = [...owners].map((id) => ({
    id,
    omeName: id === 3 ? 'ben' : `user${id}`,
    firstName: id === 3 ? 'Ben' : 'User',
    lastName: id === 3 ? 'Nevis' : String(id),
  }));
  return json(200, { annotations: out, experimenters });
}

function marshal(
  state: FakeState,
  ann: FakeAnnotation,
  link: { id: number; ownerId: number; parentType: ParentType; parentId: number },
): Record<string, unknown> {
  const date = '2024-03-14T10:15:30+00:00';
  const base: Record<string, unknown> = {
    id: ann.id,
    ns: ann.ns,
    name: null,
    description: ann.description ?? null,
    owner: { id: ann.ownerId },
    date,
    permissions: ann.kind === 'FileAnnotationI' ? { ...PERMS, canDownload: true } : PERMS,
    link: {
      id: link.id,
      owner: { id: link.ownerId },
      parent: { id: link.parentId, class: CLASS_OF[link.parentType], name: parentName(state, link.parentType, link.parentId) },
      date,
      permissions: PERMS,
    },
    class: ann.kind,
  };
  if (ann.kind === 'MapAnnotationI') base['values'] = ann.values ?? [];
  if (ann.kind === 'TagAnnotationI') base['textValue'] = ann.textValue;
  if (ann.kind === 'FileAnnotationI')
    base['file'] = { id: ann.file!.id, name: ann.file!.name, size: ann.file!.bytes.length, path: ann.file!.name, mimetype: ann.file!.mimetype };
  return base;
}

function annotateMap(state: FakeState, req: FakeRequest, userId: number): FakeResponse {
  // views.annotate_map reads ids from `request.GET or request.POST`: any query string hides the body's ids.
  const params = [...req.url.searchParams.keys()].length > 0 ? req.url.searchParams : req.form;
  let pairs: [string, string][];
  try {
    pairs = JSON.parse(req.form.get('mapAnnotation') ?? '[]') as [string, string][];
  } catch {
    return text(500, 'Expecting value', 'text/plain');
  }
  const ns = req.form.get('ns') || CLIENT_NS;
  const annIds = params.getAll('annId');
  if (annIds.length > 0) {
    for (const id of annIds) {
      const ann = state.annotations.get(Number(id));
      if (!ann) continue;
      if (pairs.length === 0) state.deleteAnnotation(ann.id);
      else ann.values = pairs;
    }
    return json(200, pairs.length === 0 ? fixture('webclient-annotate-map-delete-200') : { annId: annIds });
  }
  const created: number[] = [];
  if (pairs.length > 0) {
    for (const [t, id] of objects(params))
      if (state.exists(t, id)) created.push(state.annotate(t, id, { kind: 'MapAnnotationI', ns, ownerId: userId, values: pairs }).id);
  }
  return json(200, { annId: created });
}

function annotateTags(state: FakeState, req: FakeRequest, userId: number): FakeResponse {
  const targets = objects(req.form);
  const total = req.form.get('newtags-TOTAL_FORMS');
  if (total === null || req.form.get('newtags-INITIAL_FORMS') === null) return text(200, 'ManagementForm data is missing or has been tampered with');
  const wanted = new Set(
    (req.form.get('tags') ?? '')
      .split(',')
      .filter((t) => t !== '')
      .map(Number),
  );
  const created: number[] = [];
  for (let i = 0; i < Number(total); i++) {
    const value = req.form.get(`newtags-${i}-tag`) ?? '';
    const description = req.form.get(`newtags-${i}-description`) ?? '';
    const existing = [...state.annotations.values()].find((a) => a.kind === 'TagAnnotationI' && a.textValue === value && (a.description ?? '') === description);
    const tag = existing ?? {
      id: state.nextId(),
      kind: 'TagAnnotationI' as const,
      ns: null,
      ownerId: userId,
      textValue: value,
      ...(description !== '' && { description }),
    };
    state.annotations.set(tag.id, tag);
    created.push(tag.id);
    wanted.add(tag.id);
  }
  const added: number[] = [];
  const removed: number[] = [];
  for (const [t, id] of targets) {
    const mine = state.links.filter(
      (l) => l.parentType === t && l.parentId === id && l.ownerId === userId && state.annotations.get(l.annId)?.kind === 'TagAnnotationI',
    );
    for (const l of mine) if (!wanted.has(l.annId)) removed.push(l.annId);
    state.links = state.links.filter((l) => !(mine.includes(l) && !wanted.has(l.annId)));
    for (const tagId of wanted) {
      if (!state.links.some((l) => l.parentType === t && l.parentId === id && l.annId === tagId)) {
        state.link(tagId, t, id, userId);
        added.push(tagId);
      }
    }
  }
  return json(200, { added, removed, new: created });
}

function annotateFile(state: FakeState, req: FakeRequest, userId: number): FakeResponse {
  const targets = objects(req.form).filter(([t, id]) => state.exists(t, id));
  const uploads = req.files.filter((f) => f.field === 'annotation_file');
  if (targets.length === 0 || uploads.length === 0) return text(200, 'annotation_file: This field is required.');
  const fileIds: number[] = [];
  for (const upload of uploads) {
    const file = { id: state.nextId(), name: upload.filename, mimetype: upload.contentType, bytes: upload.bytes };
    const ann: FakeAnnotation = { id: state.nextId(), kind: 'FileAnnotationI', ns: null, ownerId: userId, file };
    state.annotations.set(ann.id, ann);
    for (const [t, id] of targets) state.link(ann.id, t, id, userId);
    fileIds.push(ann.id);
  }
  return json(200, { fileIds });
}

function links(state: FakeState, req: FakeRequest): FakeResponse {
  let body: Record<string, Record<string, Record<string, number[]>>>;
  try {
    body = JSON.parse(req.body.toString('utf8')) as typeof body;
  } catch {
    return json(400, { Error: 'Need to POST or DELETE JSON data to update links' });
  }
  for (const [parentType, parents] of Object.entries(body)) {
    for (const [parentId, children] of Object.entries(parents)) {
      if (parentType === 'project' && !state.projects.has(Number(parentId))) return json(404, { error: `Object of type Project and ID ${parentId} not found` });
      for (const [childType, ids] of Object.entries(children)) {
        for (const id of ids) {
          const list =
            parentType === 'project' && childType === 'dataset'
              ? state.projectDatasets
              : parentType === 'dataset' && childType === 'image'
                ? state.datasetImages
                : undefined;
          if (list && !list.some(([p, c]) => p === Number(parentId) && c === id)) list.push([Number(parentId), id]);
        }
      }
    }
  }
  return json(200, fixture('webclient-api-links-post-200'));
}

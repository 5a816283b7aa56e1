import { fixture, withOrigin } from './fixtures.js';
import type { FakeDataset, FakeImage, FakeProject } from './fake-state.js';

type Obj = Record<string, unknown>;

const templates = new Map<string, Obj>();

/**
 * First object of a recorded list body with the fake's origin: the template whose shape (keys,
 * order, details) is kept. Parsed once per origin, deep-copied per use.
 */
function template(name: string, origin: string): Obj {
  const key = `${name} ${origin}`;
  if (!templates.has(key)) templates.set(key, withOrigin((fixture<{ data: Obj[] }>(name).data[0] ?? {}) as Obj, origin));
  return structuredClone(templates.get(key)!);
}

/** Drops `url:*` keys and re-adds the given ones at the end, in order. */
function urls(obj: Obj, add: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) if (!k.startsWith('url:') && k !== 'omero:childCount') out[k] = v;
  return { ...out, ...add };
}

/** Sets the group and owner ids of `omero:details` (other owners than the fixtures' ben get a generic name). */
function setDetails(obj: Obj, groupId: number, ownerId: number): void {
  const details = obj['omero:details'] as { group?: Obj; owner?: Obj } | undefined;
  if (details?.group) details.group['@id'] = groupId;
  if (details?.owner && details.owner['@id'] !== ownerId) {
    Object.assign(details.owner, { '@id': ownerId, FirstName: 'User', LastName: String(ownerId), UserName: `user${ownerId}` });
  }
}

/** A Project as omero-marshal encodes it (list or single view), with the views' `url:*` keys. */
export function marshalProject(p: FakeProject, origin: string, view: 'list' | 'single' | 'saved', childCount?: number): Obj {
  const t = template('api-v0-m-projects', origin);
  t['@id'] = p.id;
  t['Name'] = p.name;
  if (p.description === undefined) delete t['Description'];
  else t['Description'] = p.description;
  setDetails(t, p.groupId, p.ownerId);
  const base = `${origin}/api/v0/m/projects/${p.id}/`;
  const withCount = childCount === undefined ? {} : { 'omero:childCount': childCount };
  if (view === 'saved') return urls(t, {});
  return urls(
    t,
    view === 'list' ? { ...withCount, 'url:datasets': `${base}datasets/`, 'url:project': base } : { ...withCount, 'url:datasets': `${base}datasets/` },
  );
}

export function marshalDataset(d: FakeDataset, origin: string, view: 'list' | 'single' | 'saved', childCount?: number): Obj {
  const t = template('api-v0-m-project-datasets', origin);
  t['@id'] = d.id;
  t['Name'] = d.name;
  if (d.description === undefined) delete t['Description'];
  else t['Description'] = d.description;
  setDetails(t, d.groupId, d.ownerId);
  const base = `${origin}/api/v0/m/datasets/${d.id}/`;
  const withCount = childCount === undefined ? {} : { 'omero:childCount': childCount };
  if (view === 'saved') return urls(t, {});
  return urls(
    t,
    view === 'list'
      ? { ...withCount, 'url:images': `${base}images/`, 'url:dataset': base, 'url:projects': `${base}projects/` }
      : { ...withCount, 'url:images': `${base}images/`, 'url:projects': `${base}projects/` },
  );
}

export function marshalImage(i: FakeImage, origin: string, view: 'list' | 'single'): Obj {
  const t = template('api-v0-m-dataset-images', origin);
  t['@id'] = i.id;
  t['Name'] = i.name;
  t['AcquisitionDate'] = i.acquisitionDate;
  setDetails(t, i.groupId, i.ownerId);
  const pixels = t['Pixels'] as Obj;
  pixels['@id'] = i.id + 500_000_000;
  pixels['SizeX'] = i.sizeX;
  pixels['SizeY'] = i.sizeY;
  (pixels['Type'] as Obj)['value'] = i.pixelsType;
  const base = `${origin}/api/v0/m/images/${i.id}/`;
  return urls(
    t,
    view === 'list' ? { 'url:image': base, 'url:datasets': `${base}datasets/` } : { 'url:datasets': `${base}datasets/`, 'url:rois': `${base}rois/` },
  );
}

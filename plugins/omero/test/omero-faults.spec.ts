import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { NS_CLIENT } from '../src/storage/omero-model.js';
import { omeroTestBed, TEST_PASSWORD, type OmeroTestBed } from './omero-test-setup.js';

let bed: OmeroTestBed;
beforeEach(async () => {
  bed = await omeroTestBed();
});
afterEach(() => bed.cleanup());

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  return error as StorageError;
}

/** A project whose single dataset holds `count` images, every third tagged Population=p1. */
function bigProject(count: number): { projectId: number; datasetId: number } {
  const { state } = bed.fake;
  const project = state.addProject('Big', 5, 3);
  const dataset = state.addDataset('plate', 5, 3, project.id);
  for (let i = 0; i < count; i++) {
    const image = state.addImage(dataset.id, `img-${String(i).padStart(5, '0')}.tif`, 3);
    if (i % 3 === 0) state.annotate('image', image.id, { kind: 'MapAnnotationI', ns: NS_CLIENT, ownerId: 3, values: [['Population', 'p1']] });
  }
  return { projectId: project.id, datasetId: dataset.id };
}

describe('OMERO backend faults and scale', () => {
  it('retries intermittent 500s during a listing and returns the complete listing', async () => {
    const { projectId, datasetId } = bigProject(1200);
    const store = await bed.backend().openExperiment(`omero://${bed.server}/project/${projectId}`);
    const listing = `/api/v0/m/datasets/${datasetId}/images/`;
    bed.fake.inject((_m, p) => p === listing, 2, 500);
    bed.fake.inject((_m, p) => p === '/webclient/api/annotations/', 1, 503);
    bed.fake.inject((_m, p) => p === listing, 1, 0);
    const items = await store.items();
    expect(items).toHaveLength(1200);
    expect(new Set(items.map((i) => i.id)).size).toBe(1200);
    expect(items.filter((i) => i.tags['Population'] === 'p1')).toHaveLength(400);
    expect(bed.fake.requests.filter((r) => r.path === listing && r.status !== 200)).toHaveLength(3);
  });

  it('lists 10,000 images with ceil(10,000/500) list requests plus the annotation requests of its batches', async () => {
    const { projectId, datasetId } = bigProject(10_000);
    const store = await bed.backend({ annotationBatch: 200 }).openExperiment(`omero://${bed.server}/project/${projectId}`);
    const before = bed.fake.requests.length;
    const items = await store.items();
    expect(items).toHaveLength(10_000);
    const made = bed.fake.requests.slice(before);
    expect(made.filter((r) => r.path === `/api/v0/m/datasets/${datasetId}/images/`)).toHaveLength(Math.ceil(10_000 / 500));
    expect(made.filter((r) => r.path === '/webclient/api/annotations/')).toHaveLength(Math.ceil(10_000 / 200));
    expect(made).toHaveLength(20 + 50);
    expect(made.every((r) => r.status === 200)).toBe(true);
  });

  it('gives one clear error for a wrong password, with one login attempt per open', async () => {
    bed.fake.state.addProject('P', 5, 3);
    const backend = bed.backend({ credentials: async () => ({ username: 'ben', password: 'not-the-password' }) });
    const error = await failure(backend.listExperiments(bed.location));
    expect(error.code).toBe('INVALID');
    expect(error.message).toBe(`OMERO login to ${bed.fake.url} as ben failed: Connection not available, please check your user name and password.`);
    expect(bed.fake.count('/api/v0/login/')).toBe(1);
    expect(bed.fake.requests.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(JSON.stringify(error.toJSON())).not.toContain('not-the-password');
  });

  it('reports a CSRF 403 as such', async () => {
    const backend = bed.backend();
    const store = await backend.createExperiment(bed.location, { name: 'E', author: 'a', keys: [] });
    const { client } = (store as unknown as { ctx: { repo: { client: { http: { jar: { setCookie(c: string, url: string): Promise<unknown> } } } } } }).ctx.repo;
    await client.http.jar.setCookie('csrftoken=gone; Max-Age=0; Path=/', bed.fake.url);
    const error = await failure(store.setTagKeys(['Population']));
    expect(error.details).toMatchObject({ csrf: true, status: 403 });
    expect(error.message).toContain('as a CSRF failure (403 CSRF Failed: CSRF cookie not set.)');
  });

  it('waits for a queued delete to finish before deleteExperiment resolves', async () => {
    await bed.cleanup();
    bed = await omeroTestBed({ deleteDelayMs: 600 });
    const store = await bed.backend().createExperiment(bed.location, { name: 'Doomed', author: 'a', keys: [] });
    await bed.backend().deleteExperiment(store.uri);
    expect(await bed.backend().listExperiments(bed.location)).toEqual([]);
    expect(bed.fake.requests.filter((r) => r.path.startsWith('/api/v0/m/projects/') && r.status === 200 && r.method === 'GET').length).toBeGreaterThan(1);
  });

  it('lets a name be taken by another user or group, but not twice by the same user in one group', async () => {
    bed.fake.state.addProject('Shared name', 5, 99);
    bed.fake.state.addProject('Shared name', 4, 3);
    const backend = bed.backend();
    const store = await backend.createExperiment(bed.location, { name: 'Shared name', author: 'a', keys: [] });
    expect((await store.info()).name).toBe('Shared name');
    const error = await failure(backend.createExperiment(bed.location, { name: 'Shared name', author: 'a', keys: [] }));
    expect(error.code).toBe('EXISTS');
    expect(error.message).toBe(`you already have an experiment (OMERO Project) named 'Shared name' in group 5 on ${bed.server}`);
  });

  it('says that OMERO.web cannot import images when the OMERO CLI is absent', async () => {
    const backend = bed.backend({ omeroCli: false });
    const store = await backend.createExperiment(bed.location, { name: 'E', author: 'a', keys: [] });
    const source = path.join(bed.dir, 'a.tif');
    await import('node:fs/promises').then((fs) => fs.writeFile(source, 'x'));
    const error = await failure(
      store.addRawItems([
        { sourcePath: source, name: 'a.tif', mode: 'copy', format: 'imagetiff', size: 1, sha256: 'x', metadata: {}, tags: {}, author: 'a', date: '2024-01-01' },
      ]),
    );
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('OMERO.web has no import endpoint');
    expect(error.message).toContain('omero import');
  });

  it('keeps the password and session key out of errors, cache files and everything but the 0600 session file', async () => {
    const backend = bed.backend();
    const store = await backend.createExperiment(bed.location, { name: 'Secrets', author: 'a', keys: ['k'] });
    const source = path.join(bed.dir, 'a.tif');
    await import('node:fs/promises').then((fs) => fs.writeFile(source, 'pixels'));
    const sha256 = createHash('sha256').update('pixels').digest('hex');
    const [item] = await store.addRawItems([
      {
        sourcePath: source,
        name: 'a.tif',
        mode: 'copy',
        format: 'imagetiff',
        size: 6,
        sha256,
        metadata: {},
        tags: { k: 'v' },
        author: 'a',
        date: '2024-01-01',
      },
    ]);
    await store.localize(item!);
    const sessionKey = (store as unknown as { ctx: { repo: { client: { currentSessionKey: string } } } }).ctx.repo.client.currentSessionKey;
    expect(sessionKey).toMatch(/^[0-9a-f-]{36}$/);
    bed.fake.inject(() => true, 10, 500);
    const errors = [await failure(store.items()), await failure(backend.openExperiment(`omero://${bed.server}/project/999999`))];
    bed.fake.faults.length = 0;
    errors.push(await failure(backend.openExperiment(`omero://${bed.server}/project/999999`)));
    for (const e of errors) {
      const text = `${e.message} ${JSON.stringify(e.toJSON())}`;
      expect(text).not.toContain(TEST_PASSWORD);
      expect(text).not.toContain(sessionKey);
    }
    const files = await readdir(bed.dir, { recursive: true, withFileTypes: true });
    for (const f of files.filter((x) => x.isFile())) {
      const full = path.join(f.parentPath, f.name);
      const text = await readFile(full, 'latin1');
      expect(text, full).not.toContain(TEST_PASSWORD);
      if (full !== bed.options.sessionFile) expect(text, full).not.toContain(sessionKey);
    }
    // Only the login request carried the password.
    expect(bed.fake.requests.filter((r) => JSON.stringify(r.headers).includes(TEST_PASSWORD))).toHaveLength(0);
    await stat(bed.dir);
  });
});

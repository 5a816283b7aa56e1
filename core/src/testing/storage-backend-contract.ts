import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type StorageErrorCode } from '../errors/area-errors.js';
import type { StorageBackend, ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem, Tags } from '../model/data-item.js';
import type { NewRawItem } from '../model/experiment.js';

/** What a backend's test file hands to {@link describeStorageBackendContract}, per test. */
export interface StorageBackendFixture {
  /** The backend under test, fresh for this test. */
  readonly backend: StorageBackend;
  /** A workspace location (URI or path) where this test may create experiments. */
  readonly location: string;
  /** Removes everything the test created. */
  cleanup(): Promise<void>;
  /**
   * A second backend instance over the same storage, to check persistence without in-memory
   * caches. When absent, the suite reopens experiments with `backend`.
   */
  readonly newBackend?: () => StorageBackend | Promise<StorageBackend>;
}

async function rejectsWith(promise: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected StorageError ${code}`).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
  return error as StorageError;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The behaviour every StorageBackend promises, as a vitest suite. A backend package calls it
 * from a spec file with a `setup` that makes a fresh backend and workspace per test:
 *
 * ```ts
 * describeStorageBackendContract('local-fs', async () => ({ backend, location, cleanup }));
 * ```
 *
 * Covers experiments (create, open, list, delete, EXISTS, NOT_FOUND), raw items (persistence
 * across reopen, unique ids, unique names on collisions, getItem), tags (updateTags all or
 * none, setTagKeys, new keys added to the experiment), localize and name validation. Source
 * files are small files the suite writes in its own temporary folder.
 */
export function describeStorageBackendContract(label: string, setup: () => Promise<StorageBackendFixture>): void {
  describe(`StorageBackend contract: ${label}`, () => {
    let fixture: StorageBackendFixture;
    let sources: string;
    let counter = 0;

    beforeEach(async () => {
      fixture = await setup();
      sources = await mkdtemp(path.join(tmpdir(), 'bioimageit-contract-'));
    });

    afterEach(async () => {
      await fixture.cleanup();
      await rm(sources, { recursive: true, force: true });
    });

    async function source(name: string, tags: Tags = {}, mode: NewRawItem['mode'] = 'copy'): Promise<NewRawItem> {
      const bytes = Buffer.from(`${name} #${++counter} ${'x'.repeat(counter % 7)}`);
      const sourcePath = path.join(sources, `${counter}-${name}`);
      await writeFile(sourcePath, bytes);
      return { sourcePath, name, mode, format: 'imagetiff', size: bytes.length, sha256: sha256(bytes), metadata: {}, tags, author: 'tester', date: '2024-05-06' };
    }

    async function create(name = 'Contract Exp', keys: string[] = []): Promise<ExperimentStore> {
      return fixture.backend.createExperiment(fixture.location, { name, author: 'tester', date: '2024-05-06', keys });
    }

    async function reopen(store: ExperimentStore): Promise<ExperimentStore> {
      await store.close();
      const backend = fixture.newBackend === undefined ? fixture.backend : await fixture.newBackend();
      return backend.openExperiment(store.uri);
    }

    it('creates an experiment with an empty raw dataset, then lists and opens it', async () => {
      const store = await create('Contract Exp', ['Population']);
      const info = await store.info();
      expect(info).toMatchObject({ name: 'Contract Exp', author: 'tester', date: '2024-05-06', keys: ['Population'], uri: store.uri });
      expect(info.datasets).toEqual([expect.objectContaining({ name: 'data', kind: 'raw', itemCount: 0 })]);
      expect(await store.items()).toEqual([]);
      const listed = await fixture.backend.listExperiments(fixture.location);
      expect(listed).toEqual([expect.objectContaining({ id: info.id, uri: store.uri, name: 'Contract Exp', keys: ['Population'] })]);
      const opened = await fixture.backend.openExperiment(store.uri);
      expect((await opened.info()).id).toBe(info.id);
      await opened.close();
      await store.close();
    });

    it('rejects a duplicate experiment with EXISTS and an unknown one with NOT_FOUND', async () => {
      const store = await create();
      await rejectsWith(create(), 'EXISTS');
      await rejectsWith(fixture.backend.openExperiment(`${store.uri}-missing`), 'NOT_FOUND');
      await store.close();
    });

    it('deletes an experiment', async () => {
      const store = await create('To Delete');
      await store.addRawItems([await source('a.tif')]);
      await store.close();
      await fixture.backend.deleteExperiment(store.uri);
      expect(await fixture.backend.listExperiments(fixture.location)).toEqual([]);
      await rejectsWith(fixture.backend.openExperiment(store.uri), 'NOT_FOUND');
      await rejectsWith(fixture.backend.deleteExperiment(store.uri), 'NOT_FOUND');
    });

    it('keeps added raw items across a reopen, with unique ids and the given fields', async () => {
      let store = await create();
      const inputs = [await source('a.tif', { Population: 'p1' }), await source('b.tif', { Population: 'p2' })];
      const added = await store.addRawItems(inputs);
      expect(added.map((i) => i.name)).toEqual(['a.tif', 'b.tif']);
      const more = await store.addRawItems([await source('c.tif', { Population: 'p1' })]);
      store = await reopen(store);
      const items = await store.items();
      expect(items.map((i) => i.name)).toEqual(['a.tif', 'b.tif', 'c.tif']);
      expect(new Set(items.map((i) => i.id)).size).toBe(3);
      expect(items).toEqual([...added, ...more].map((i) => expect.objectContaining({ id: i.id, name: i.name, dataset: 'data' })));
      expect(items[0]).toMatchObject({ format: 'imagetiff', author: 'tester', date: '2024-05-06', size: inputs[0]?.size, sha256: inputs[0]?.sha256, tags: { Population: 'p1' }, origin: { type: 'raw' } });
      expect((await store.listDatasets())[0]?.itemCount).toBe(3);
      await store.close();
    });

    it('makes colliding names unique (a.tif, a_1.tif, a_2.tif)', async () => {
      let store = await create();
      const first = await store.addRawItems([await source('a.tif'), await source('a.tif')]);
      const second = await store.addRawItems([await source('a.tif')]);
      expect([...first, ...second].map((i) => i.name)).toEqual(['a.tif', 'a_1.tif', 'a_2.tif']);
      store = await reopen(store);
      expect((await store.items()).map((i) => i.name)).toEqual(['a.tif', 'a_1.tif', 'a_2.tif']);
      await store.close();
    });

    it('finds items by id and rejects an unknown id with NOT_FOUND', async () => {
      const store = await create();
      const [item] = await store.addRawItems([await source('a.tif')]);
      expect(await store.getItem((item as DataItem).id)).toEqual(item);
      await rejectsWith(store.getItem('no-such-id'), 'NOT_FOUND');
      await rejectsWith(store.items('no-such-dataset'), 'NOT_FOUND');
      await store.close();
    });

    it('sets and removes tags, all or none', async () => {
      let store = await create('Tags', ['Population']);
      const [a, b] = (await store.addRawItems([await source('a.tif', { Population: 'p1', number: '1' }), await source('b.tif', { Population: 'p2' })])) as DataItem[];
      await store.updateTags([
        { itemId: a!.id, set: { Population: 'p9' }, remove: ['number'] },
        { itemId: b!.id, set: { Condition: 'treated' } },
      ]);
      await rejectsWith(store.updateTags([{ itemId: a!.id, set: { Population: 'lost' } }, { itemId: 'no-such-id', set: { x: 'y' } }]), 'NOT_FOUND');
      store = await reopen(store);
      expect((await store.getItem(a!.id)).tags).toEqual({ Population: 'p9' });
      expect((await store.getItem(b!.id)).tags).toEqual({ Population: 'p2', Condition: 'treated' });
      expect((await store.info()).keys).toEqual(['Population', 'number', 'Condition']);
      await store.close();
    });

    it('adds new tag keys to the experiment and replaces them with setTagKeys', async () => {
      let store = await create('Keys', ['Population']);
      const [a] = (await store.addRawItems([await source('a.tif', { Population: 'p1', number: '001' })])) as DataItem[];
      expect((await store.info()).keys).toEqual(['Population', 'number']);
      await store.setTagKeys(['number', 'Well']);
      store = await reopen(store);
      expect((await store.info()).keys).toEqual(['number', 'Well']);
      expect((await store.getItem(a!.id)).tags).toEqual({ Population: 'p1', number: '001' });
      await store.close();
    });

    it('localizes an item to a readable file with the same content', async () => {
      const store = await create();
      const input = await source('a.tif');
      const [item] = await store.addRawItems([input]);
      const file = await store.localize(item as DataItem);
      expect(sha256(await readFile(file))).toBe(input.sha256);
      await store.close();
    });

    it('rejects invalid experiment and item names with INVALID, storing nothing', async () => {
      for (const name of ['', '   ', 'a/b', 'a\\b', '..', 'x\u0000y']) await rejectsWith(create(name), 'INVALID');
      const store = await create();
      const good = await source('good.tif');
      for (const name of ['', 'a/b.tif', 'a\\b.tif', '..', '../up.tif', 'x\u0000.tif']) {
        await rejectsWith(store.addRawItems([good, { ...good, name }]), 'INVALID');
      }
      expect(await store.items()).toEqual([]);
      await store.close();
    });
  });
}

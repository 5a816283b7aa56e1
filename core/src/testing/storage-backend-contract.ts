import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError, type StorageErrorCode } from '../errors/area-errors.js';
import type { StorageBackend, ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem, ProcessedOrigin, Tags } from '../model/data-item.js';
import type { NewRawItem } from '../model/experiment.js';
import type { NewProcessedItem } from '../model/run.js';
import { sampleRunRecord as runRecord } from './sample-run-record.js';
import { describeThumbnailCases } from './storage-thumbnail-cases.js';

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
 * none, setTagKeys, new keys added to the experiment), localize and name validation; then
 * processed data: processed datasets (ensured once), run records (create, replace, list), job
 * outputs (origin, inherited tags, unique names, all or none), run logs and staging folders;
 * then thumbnails (`saveThumbnail`, see {@link describeThumbnailCases}).
 * Source files are small files the suite writes in its own temporary folder; job outputs are
 * written into folders from `createStagingDir`, removed after each test.
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
      for (const dir of staging.splice(0)) await rm(dir, { recursive: true, force: true });
      await fixture.cleanup();
      await rm(sources, { recursive: true, force: true });
    });

    const staging: string[] = [];

    /** A job output named `name` made from `inputs`, written into a fresh staging folder of `store`. */
    async function output(store: ExperimentStore, name: string, runId: string, inputs: readonly DataItem[], tags?: Tags): Promise<NewProcessedItem> {
      const dir = await store.createStagingDir(`job ${name}`);
      staging.push(dir);
      const bytes = Buffer.from(`output ${name} #${++counter}`);
      const sourcePath = path.join(dir, name);
      await writeFile(sourcePath, bytes);
      const origin = {
        runId,
        inputs: inputs.map((i) => ({ name: 'i', id: i.id })),
        output: { name: 'o', label: 'Binary image' },
        job: { id: `job-${counter}`, cacheKey: `key-${counter}` },
      };
      return {
        sourcePath,
        name,
        format: 'imagetiff',
        size: bytes.length,
        sha256: sha256(bytes),
        metadata: { shape: [2, 2] },
        ...(tags ? { tags } : {}),
        author: 'tester',
        date: '2024-05-06',
        origin,
      };
    }

    async function source(name: string, tags: Tags = {}, mode: NewRawItem['mode'] = 'copy'): Promise<NewRawItem> {
      const bytes = Buffer.from(`${name} #${++counter} ${'x'.repeat(counter % 7)}`);
      const sourcePath = path.join(sources, `${counter}-${name}`);
      await writeFile(sourcePath, bytes);
      return {
        sourcePath,
        name,
        mode,
        format: 'imagetiff',
        size: bytes.length,
        sha256: sha256(bytes),
        metadata: {},
        tags,
        author: 'tester',
        date: '2024-05-06',
      };
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
      expect(items[0]).toMatchObject({
        format: 'imagetiff',
        author: 'tester',
        date: '2024-05-06',
        size: inputs[0]?.size,
        sha256: inputs[0]?.sha256,
        tags: { Population: 'p1' },
        origin: { type: 'raw' },
      });
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
      const [a, b] = (await store.addRawItems([
        await source('a.tif', { Population: 'p1', number: '1' }),
        await source('b.tif', { Population: 'p2' }),
      ])) as DataItem[];
      await store.updateTags([
        { itemId: a!.id, set: { Population: 'p9' }, remove: ['number'] },
        { itemId: b!.id, set: { Condition: 'treated' } },
      ]);
      await rejectsWith(
        store.updateTags([
          { itemId: a!.id, set: { Population: 'lost' } },
          { itemId: 'no-such-id', set: { x: 'y' } },
        ]),
        'NOT_FOUND',
      );
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

    it('creates a processed dataset once, however often it is ensured', async () => {
      let store = await create();
      const first = await store.ensureProcessedDataset('threshold');
      expect(first).toMatchObject({ name: 'threshold', kind: 'processed', itemCount: 0 });
      expect((await store.ensureProcessedDataset('threshold')).id).toBe(first.id);
      expect((await store.listDatasets()).map((d) => d.name)).toEqual(['data', 'threshold']);
      store = await reopen(store);
      expect((await store.ensureProcessedDataset('threshold')).id).toBe(first.id);
      expect((await store.info()).datasets.map((d) => [d.name, d.kind])).toEqual([
        ['data', 'raw'],
        ['threshold', 'processed'],
      ]);
      expect(await store.items('threshold')).toEqual([]);
      for (const name of ['data', '', 'a/b', '..']) await rejectsWith(store.ensureProcessedDataset(name), 'INVALID');
      await store.close();
    });

    it('saves, replaces and lists run records', async () => {
      let store = await create();
      await store.ensureProcessedDataset('threshold');
      await store.ensureProcessedDataset('other');
      const first = runRecord('threshold', 'run-1');
      const second = runRecord('other', 'run-2', { start: '2024-05-06T11:00:00.000Z' });
      await store.saveRun(first);
      await store.saveRun(second);
      const job = {
        id: 'job-1',
        index: 0,
        inputs: { i: ['x'] },
        status: 'succeeded' as const,
        exitCode: 0,
        outputs: [],
        cacheKey: 'k1',
        stdout: 'logs/run-1/job-1.stdout',
      };
      const done = { ...first, status: 'succeeded' as const, end: '2024-05-06T10:05:00.000Z', jobs: [job] };
      await store.saveRun(done);
      expect(await store.listRuns('threshold')).toEqual([done]);
      store = await reopen(store);
      expect(await store.listRuns('threshold')).toEqual([done]);
      expect(await store.listRuns('other')).toEqual([second]);
      expect(await store.listRuns()).toEqual([done, second]);
      await rejectsWith(store.saveRun(runRecord('missing', 'run-3')), 'NOT_FOUND');
      await rejectsWith(store.listRuns('missing'), 'NOT_FOUND');
      await store.close();
    });

    it('commits job outputs with their origin, inherited tags and content, kept across a reopen', async () => {
      let store = await create('Processed', ['Population']);
      const [a, b] = (await store.addRawItems([
        await source('a.tif', { Population: 'p1', number: '1' }),
        await source('b.tif', { Population: 'p2' }),
      ])) as DataItem[];
      await store.ensureProcessedDataset('threshold');
      await store.saveRun(runRecord('threshold', 'run-1'));
      const outputs = [await output(store, 'o_a.tif', 'run-1', [a!], { Quality: 'good' }), await output(store, 'o_b.tif', 'run-1', [b!])];
      const committed = await store.commitProcessedItems('threshold', outputs);
      expect(committed).toHaveLength(2);
      expect(committed[0]).toMatchObject({
        dataset: 'threshold',
        format: 'imagetiff',
        size: outputs[0]?.size,
        sha256: outputs[0]?.sha256,
        tags: { Population: 'p1', number: '1', Quality: 'good' },
      });
      expect(committed[0]?.metadata).toMatchObject({ shape: [2, 2] });
      expect(committed[0]?.origin).toMatchObject({
        type: 'processed',
        run: { id: 'run-1' },
        inputs: [{ name: 'i', id: a!.id, type: 'raw', uri: a!.uri }],
        output: { name: 'o', label: 'Binary image' },
        job: outputs[0]?.origin.job,
      });
      expect(committed[1]?.tags).toEqual({ Population: 'p2' });
      store = await reopen(store);
      expect(await store.items('threshold')).toEqual(committed);
      expect(await store.getItem(committed[0]!.id)).toEqual(committed[0]);
      expect((await store.listDatasets()).find((d) => d.name === 'threshold')?.itemCount).toBe(2);
      expect(sha256(await readFile(await store.localize(committed[1]!)))).toBe(outputs[1]?.sha256);
      await store.ensureProcessedDataset('measure');
      await store.saveRun(runRecord('measure', 'run-2'));
      const [derived] = await store.commitProcessedItems('measure', [await output(store, 'm_a.csv', 'run-2', [committed[0]!])]);
      expect((derived?.origin as ProcessedOrigin).inputs).toEqual([expect.objectContaining({ id: committed[0]!.id, type: 'processed' })]);
      expect(derived?.tags).toEqual({ Population: 'p1', number: '1', Quality: 'good' });
      await store.close();
    });

    it('makes colliding output names unique', async () => {
      let store = await create();
      const [a] = (await store.addRawItems([await source('a.tif')])) as DataItem[];
      await store.ensureProcessedDataset('threshold');
      await store.saveRun(runRecord('threshold', 'run-1'));
      const first = await store.commitProcessedItems('threshold', [await output(store, 'o.tif', 'run-1', [a!]), await output(store, 'o.tif', 'run-1', [a!])]);
      const outputs = [await output(store, 'o.tif', 'run-1', [a!])];
      const second = await store.commitProcessedItems('threshold', outputs);
      const names = [...first, ...second].map((i) => i.name);
      expect(new Set(names).size).toBe(3);
      store = await reopen(store);
      expect((await store.items('threshold')).map((i) => i.name)).toEqual(names);
      expect(sha256(await readFile(await store.localize(second[0]!)))).toBe(outputs[0]?.sha256);
      await store.close();
    });

    it('rejects an unknown origin id or dataset with NOT_FOUND, committing nothing', async () => {
      let store = await create();
      const [a] = (await store.addRawItems([await source('a.tif')])) as DataItem[];
      await store.ensureProcessedDataset('threshold');
      await store.saveRun(runRecord('threshold', 'run-1'));
      const good = await output(store, 'o_a.tif', 'run-1', [a!]);
      const bad = await output(store, 'o_x.tif', 'run-1', [{ ...a!, id: 'no-such-id' }]);
      const error = await rejectsWith(store.commitProcessedItems('threshold', [good, bad]), 'NOT_FOUND');
      expect(error.message).toContain('no-such-id');
      await rejectsWith(store.commitProcessedItems('missing', [await output(store, 'o_b.tif', 'run-1', [a!])]), 'NOT_FOUND');
      store = await reopen(store);
      expect(await store.items('threshold')).toEqual([]);
      expect((await store.listDatasets()).find((d) => d.name === 'threshold')?.itemCount).toBe(0);
      expect(await store.commitProcessedItems('threshold', [await output(store, 'o_a.tif', 'run-1', [a!])])).toHaveLength(1);
      await store.close();
    });

    it('keeps run logs and hands out distinct staging folders', async () => {
      const store = await create();
      await store.ensureProcessedDataset('threshold');
      await store.saveRun(runRecord('threshold', 'run-1'));
      const log = path.join(sources, 'job-1.stdout');
      await writeFile(log, 'hello from job 1\n');
      expect(await store.saveRunLog('threshold', 'run-1', 'job-1.stdout', log)).toBe('logs/run-1/job-1.stdout');
      await rejectsWith(store.saveRunLog('missing', 'run-1', 'job-1.stdout', log), 'NOT_FOUND');
      const dirs = [await store.createStagingDir('job 1'), await store.createStagingDir('job 1')];
      staging.push(...dirs);
      expect(dirs[0]).not.toBe(dirs[1]);
      for (const dir of dirs) {
        expect((await stat(dir)).isDirectory()).toBe(true);
        await writeFile(path.join(dir, 'probe.txt'), 'x');
      }
      await store.close();
    });

    describeThumbnailCases({ create, source, reopen, output, runRecord });
  });
}

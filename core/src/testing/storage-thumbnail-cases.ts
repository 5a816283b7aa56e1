import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { StorageError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem, Tags } from '../model/data-item.js';
import type { NewRawItem } from '../model/experiment.js';
import type { NewProcessedItem, RunRecord } from '../model/run.js';

/** What the storage contract suite hands to its thumbnail cases (its own per-test helpers). */
export interface ThumbnailCaseHelpers {
  create(name?: string, keys?: string[]): Promise<ExperimentStore>;
  source(name: string, tags?: Tags): Promise<NewRawItem>;
  reopen(store: ExperimentStore): Promise<ExperimentStore>;
  output(store: ExperimentStore, name: string, runId: string, inputs: readonly DataItem[]): Promise<NewProcessedItem>;
  runRecord(dataset: string, id: string): RunRecord;
}

/** A valid 1×1 greyscale PNG of the given grey value (real chunks and CRCs). */
export function tinyPng(grey: number): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(
    Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, grey & 255]))), chunk('IEND', new Uint8Array())]),
  );
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected StorageError ${code}`).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe(code);
}

/** The thumbnail image behind `uri`, when the backend hands out local `file:` URIs. */
async function bytesAt(uri: string): Promise<Uint8Array | undefined> {
  return uri.startsWith('file:') ? new Uint8Array(await readFile(fileURLToPath(uri))) : undefined;
}

/**
 * The `saveThumbnail` cases of the storage contract: recorded on the item (getItem, items, after a
 * reopen), replaced by a second save, kept through tag edits, for raw and processed items, many at
 * once; NOT_FOUND / INVALID store nothing. Registered inside `describeStorageBackendContract`.
 */
export function describeThumbnailCases(h: ThumbnailCaseHelpers): void {
  it('records a saved thumbnail on its item, replaces it on a second save, and keeps it across a reopen', async () => {
    let store = await h.create('Thumbs', ['Population']);
    const [a, b] = (await store.addRawItems([await h.source('a.tif', { Population: 'p1' }), await h.source('b.tif')])) as DataItem[];
    const uri = await store.saveThumbnail(a!.id, tinyPng(10));
    expect(typeof uri).toBe('string');
    expect((await store.getItem(a!.id)).thumbnail).toBe(uri);
    expect((await store.items()).map((i) => i.thumbnail)).toEqual([uri, undefined]);
    expect(await bytesAt(uri)).toSatisfy((bytes: Uint8Array | undefined) => bytes === undefined || Buffer.from(bytes).equals(Buffer.from(tinyPng(10))));
    const again = await store.saveThumbnail(a!.id, tinyPng(200));
    expect((await store.getItem(a!.id)).thumbnail).toBe(again);
    store = await h.reopen(store);
    const reopened = await store.getItem(a!.id);
    expect(reopened).toMatchObject({ thumbnail: again, tags: { Population: 'p1' }, name: 'a.tif' });
    expect((await store.getItem(b!.id)).thumbnail).toBeUndefined();
    expect(await bytesAt(again)).toSatisfy((bytes: Uint8Array | undefined) => bytes === undefined || Buffer.from(bytes).equals(Buffer.from(tinyPng(200))));
    await store.close();
  });

  it('rejects an unknown item id with NOT_FOUND and bytes that are no PNG with INVALID, recording nothing', async () => {
    let store = await h.create();
    const [a] = (await store.addRawItems([await h.source('a.tif')])) as DataItem[];
    await expectCode(store.saveThumbnail('no-such-id', tinyPng(1)), 'NOT_FOUND');
    await expectCode(store.saveThumbnail(a!.id, new TextEncoder().encode('not a png')), 'INVALID');
    store = await h.reopen(store);
    expect((await store.getItem(a!.id)).thumbnail).toBeUndefined();
    await store.close();
  });

  it('stores thumbnails of raw and processed items saved at once, kept through tag edits', async () => {
    let store = await h.create('Many', ['Population']);
    const raw = (await store.addRawItems(await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => h.source(`${n}.tif`, { Population: n }))))) as DataItem[];
    await store.ensureProcessedDataset('threshold');
    await store.saveRun(h.runRecord('threshold', 'run-1'));
    const [processed] = await store.commitProcessedItems('threshold', [await h.output(store, 'o_a.tif', 'run-1', [raw[0]!])]);
    const targets = [...raw, processed!];
    const uris = await Promise.all([
      ...targets.map((item, i) => store.saveThumbnail(item.id, tinyPng(i))),
      store.saveThumbnail('missing', tinyPng(9)).catch((e: unknown) => e),
    ]);
    expect(uris.at(-1)).toBeInstanceOf(StorageError);
    expect(new Set(uris.slice(0, -1)).size).toBe(targets.length);
    await store.updateTags([{ itemId: raw[1]!.id, set: { Population: 'changed' } }]);
    store = await h.reopen(store);
    for (const [i, item] of targets.entries()) expect((await store.getItem(item.id)).thumbnail).toBe(uris[i]);
    expect((await store.getItem(raw[1]!.id)).tags).toEqual({ Population: 'changed' });
    expect((await store.items('threshold'))[0]?.thumbnail).toBe(uris[targets.length - 1]);
    await store.close();
  });
}

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import { planCrateFiles } from './crate-files.js';
import { mediaTypeOf } from './media-types.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function referenced(id: string, well: string, dataset = 'data'): Promise<DataItem> {
  const path = join(dir, 'plate', well, 'population 1.ome.tif');
  await mkdir(join(dir, 'plate', well), { recursive: true });
  await writeFile(path, `pixels of ${well}`);
  return {
    id,
    uri: `memory://${id}`,
    dataset,
    name: `${well}.ome.tif`,
    format: 'imagetiff',
    dataUri: pathToFileURL(path).href,
    author: 'a',
    date: '2025-01-01',
    tags: {},
    metadata: {},
    origin: { type: 'raw' },
  };
}

const localStore = { localize: async (item: DataItem) => fileURLToPath(item.dataUri) } as unknown as ExperimentStore;

describe('planCrateFiles', () => {
  it('gives files of one dataset that share a name distinct, encoded crate paths', async () => {
    const items = [await referenced('a', 'A01'), await referenced('b', 'B01'), await referenced('c', 'C01', '../up')];
    const files = await planCrateFiles(localStore, items, true);
    expect([...files.values()].map((f) => [f.relativePath, f.id])).toEqual([
      ['data/population 1.ome.tif', 'data/population%201.ome.tif'],
      ['data/population 1_1.ome.tif', 'data/population%201_1.ome.tif'],
      ['.._up/population 1.ome.tif', '.._up/population%201.ome.tif'],
    ]);
    expect(files.get('a')).toMatchObject({ size: 13, mediaType: 'image/tiff', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('names referenced files by their absolute URI', async () => {
    const item = await referenced('a', 'A01');
    const files = await planCrateFiles(localStore, [item], false);
    expect(files.get('a')).toMatchObject({ id: item.dataUri, fileName: 'population 1.ome.tif' });
    expect(files.get('a')?.relativePath).toBeUndefined();
  });
});

describe('mediaTypeOf', () => {
  it('maps v1 format ids, then extensions', () => {
    expect(mediaTypeOf('imagetiff', 'x.bin')).toBe('image/tiff');
    expect(mediaTypeOf('numbercsv', 'x')).toBe('text/csv');
    expect(mediaTypeOf('unknown', 'cells.JSON')).toBe('application/json');
    expect(mediaTypeOf('unknown', 'x.dat')).toBe('application/octet-stream');
  });
});

import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem, ProcessedOrigin } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItem } from './test-support/source-files.js';
import { json, keyOrder, keyPaths, normalized } from './test-support/json-shape.js';
import { copyV1Fixture } from './test-support/v1-fixture.js';

const matchesV1Query = (item: DataItem): boolean => item.tags['Population'] === 'population1' && Number(item.tags['number']) > 2;

describe('local-fs and BioImageIT v1 experiments', () => {
  let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;
  const backend = new LocalFsStorageBackend();

  beforeEach(async () => {
    fixture = await copyV1Fixture();
  });
  afterEach(() => fixture.cleanup());

  it('opens exp100 as v1 wrote it: experiment, datasets, raw items and tags', async () => {
    const store = await backend.openExperiment(fixture.experiment);
    const info = await store.info();
    expect(info).toMatchObject({
      id: 'c05114c8-87ef-44f5-af42-8c834a97332e',
      name: 'exp100',
      author: 'baseline',
      date: '2026-11-24',
      keys: ['Population', 'number'],
    });
    expect(info.datasets.map((d) => [d.name, d.kind, d.itemCount])).toEqual([
      ['data', 'raw', 100],
      ['copied', 'processed', 100],
      ['threshold', 'processed', 49],
    ]);
    const raw = await store.items();
    const listed = JSON.parse(await readFile(path.join(fixture.experiment, 'data/raw_dataset.md.json'), 'utf8')) as { urls: { uuid: string }[] };
    expect(raw.map((i) => i.id)).toEqual(listed.urls.map((u) => u.uuid));
    for (const item of raw) {
      const [, population, number] = /^(population\d)_(\d{3})\.tif$/.exec(item.name) ?? [];
      expect(item.tags).toEqual({ Population: population, number });
      expect(item).toMatchObject({ dataset: 'data', format: 'imagetiff', author: 'baseline', date: '2026-11-24', origin: { type: 'raw' } });
      expect(fileURLToPath(item.dataUri)).toBe(path.join(fixture.experiment, 'data', item.name));
      expect(fileURLToPath(item.uri)).toBe(path.join(fixture.experiment, 'data', item.name.replace('.tif', '.md.json')));
      expect(item.referenced).toBeUndefined();
    }
    expect(raw.filter(matchesV1Query)).toHaveLength(49);
    await store.close();
  });

  it('reads processed items with their origins and the tags of what they were made from', async () => {
    const store = await backend.openExperiment(fixture.experiment);
    const raw = new Map((await store.items()).map((i) => [i.id, i]));
    const copied = await store.items('copied');
    const threshold = await store.items('threshold');
    expect(copied).toHaveLength(100);
    for (const item of [...copied, ...threshold]) {
      const origin = item.origin as ProcessedOrigin;
      expect(origin.type).toBe('processed');
      expect(origin.inputs).toHaveLength(1);
      const input = raw.get(origin.inputs[0]?.id ?? '');
      expect(input, item.name).toBeDefined();
      expect(origin.inputs[0]).toMatchObject({ name: 'i', type: 'raw', uri: input?.uri });
      expect(item.tags).toEqual(input?.tags);
      expect(item.name).toBe(`o_${input?.name.replace('.tif', '')}`);
      expect(fileURLToPath(origin.run.uri)).toBe(path.join(fixture.experiment, item.dataset, 'run.md.json'));
    }
    expect((copied[0]?.origin as ProcessedOrigin).output).toEqual({ name: 'o', label: 'Copied image' });
    expect((threshold[0]?.origin as ProcessedOrigin).output).toEqual({ name: 'o', label: 'Binary image' });
    const thresholdInputs = new Set(threshold.map((i) => (i.origin as ProcessedOrigin).inputs[0]?.id));
    expect(new Set([...raw.values()].filter(matchesV1Query).map((i) => i.id))).toEqual(thresholdInputs);
    await store.close();
  });

  it('reads the older raw dataset file name that experiment.md.json points to', async () => {
    const experimentFile = path.join(fixture.experiment, 'experiment.md.json');
    const doc = JSON.parse(await readFile(experimentFile, 'utf8')) as { raw_dataset: { url: string } };
    doc.raw_dataset.url = 'data/rawdataset.md.json';
    await writeFile(experimentFile, JSON.stringify(doc, null, 4));
    await rename(path.join(fixture.experiment, 'data/raw_dataset.md.json'), path.join(fixture.experiment, 'data/rawdataset.md.json'));
    const store = await backend.openExperiment(`file://${fixture.experiment}`);
    expect(await store.items()).toHaveLength(100);
    const [added] = await store.addRawItems([await sourceItem(path.join(fixture.workspace, 'src'), 'new.tif')]);
    expect(added?.name).toBe('new.tif');
    const listed = JSON.parse(await readFile(path.join(fixture.experiment, 'data/rawdataset.md.json'), 'utf8')) as { urls: unknown[] };
    expect(listed.urls).toHaveLength(101);
    await store.close();
  });

  it('adds to a v1 experiment without touching what v1 wrote, in v1 format', async () => {
    const before = await readFile(path.join(fixture.experiment, 'data/population1_001.md.json'), 'utf8');
    const rawBefore = await json(path.join(fixture.experiment, 'data/raw_dataset.md.json'));
    const store = await backend.openExperiment(fixture.experiment);
    await store.addRawItems([await sourceItem(path.join(fixture.workspace, 'src'), 'population1_001.tif', { Population: 'population1' })]);
    expect(await readFile(path.join(fixture.experiment, 'data/population1_001.md.json'), 'utf8')).toBe(before);
    const rawAfter = await json(path.join(fixture.experiment, 'data/raw_dataset.md.json'));
    expect(rawAfter.text.startsWith(rawBefore.text.slice(0, -'\n    ]\n}'.length))).toBe(true);
    expect((rawAfter.value['urls'] as { url: string }[]).at(-1)?.url).toBe('population1_001_1.md.json');
    expect(rawAfter.text).toBe(JSON.stringify(rawAfter.value, null, 4));
    await store.close();
  });

  it('writes experiments with the JSON structure, key order and formatting of v1', async () => {
    const store = await backend.createExperiment(fixture.workspace, { name: 'New Exp', author: 'ada', date: '2024-05-06', keys: ['Population', 'number'] });
    expect(fileURLToPath(store.uri)).toBe(path.join(fixture.workspace, 'NewExp'));
    const src = path.join(fixture.workspace, 'src');
    const [copied, referenced] = (await store.addRawItems([
      await sourceItem(src, 'population1_001.tif', { Population: 'population1', number: '001' }),
      await sourceItem(src, 'far.tif', { Population: 'population2', number: '002' }, 'reference'),
    ])) as DataItem[];
    const pairs = [
      ['experiment.md.json', 'experiment.md.json'],
      ['data/raw_dataset.md.json', 'data/raw_dataset.md.json'],
      ['data/population1_001.md.json', 'data/population1_001.md.json'],
    ] as const;
    for (const [mine, theirs] of pairs) {
      const written = await json(path.join(fixture.workspace, 'NewExp', mine));
      const v1 = await json(path.join(fixture.experiment, theirs));
      const { bioimageit_ts: extras, ...comparable } = written.value;
      expect(keyOrder(normalized(comparable)), mine).toEqual(keyOrder(normalized(v1.value)));
      expect(keyPaths(normalized(comparable)), mine).toEqual(keyPaths(normalized(v1.value)));
      expect(written.text, mine).toBe(JSON.stringify(written.value, null, 4));
      expect(written.text.endsWith('}'), mine).toBe(true);
      if (mine.startsWith('data/population')) {
        expect(extras).toEqual({ size: copied?.size, sha256: copied?.sha256, referenced: false, source: expect.stringContaining('population1_001.tif') });
        expect(written.value['metadata']).toEqual({ shape: [1, copied?.size], dtype: 'uint8', axes: 'YX' });
        expect(written.value['common']).toMatchObject({ name: 'population1_001.tif', url: 'population1_001.tif', date: '2024-05-06' });
      }
    }
    const far = await json(path.join(fixture.workspace, 'NewExp/data/far.md.json'));
    expect((far.value['common'] as { url: string }).url).toBe(fileURLToPath(referenced?.dataUri ?? ''));
    expect(referenced?.referenced).toBe(true);
    expect(path.isAbsolute(fileURLToPath(referenced?.dataUri ?? ''))).toBe(true);
    await store.close();
  });

  it('edits tags of processed items in the extras block, over the inherited ones', async () => {
    const store = await backend.openExperiment(fixture.experiment);
    const [item] = await store.items('copied');
    const file = fileURLToPath(item?.uri ?? '');
    await store.updateTags([{ itemId: item?.id ?? '', set: { Quality: 'good', number: '999' } }]);
    const reopened = await new LocalFsStorageBackend().openExperiment(fixture.experiment);
    const edited = await reopened.getItem(item?.id ?? '');
    expect(edited.tags).toEqual({ ...item?.tags, Quality: 'good', number: '999' });
    const doc = (await json(file)).value;
    expect(doc['key_value_pairs']).toBeUndefined();
    expect(doc['bioimageit_ts']).toEqual({ tags: { Quality: 'good', number: '999' } });
    expect(Object.keys(doc)).toEqual(['uuid', 'common', 'origin', 'bioimageit_ts']);
    const origin = await reopened.getItem((item?.origin as ProcessedOrigin).inputs[0]?.id ?? '');
    expect(origin.tags['number']).not.toBe('999');
    expect((await reopened.info()).keys).toEqual(['Population', 'number', 'Quality']);
    await reopened.close();
    await store.close();
  });
});

import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItems } from './test-support/source-files.js';
import { copyV1Fixture } from './test-support/v1-fixture.js';

const INDEX = '.bioimageit/index.jsonl';

describe('local-fs index', () => {
  let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;
  let exp: string;
  const item = (name: string): string => path.join(exp, 'data', name);
  const open = () => new LocalFsStorageBackend({ fsync: false }).openExperiment(exp);

  beforeEach(async () => {
    fixture = await copyV1Fixture();
    exp = fixture.experiment;
  });
  afterEach(() => fixture.cleanup());

  async function retag(file: string, population: string): Promise<void> {
    const doc = JSON.parse(await readFile(file, 'utf8')) as { key_value_pairs: Record<string, string> };
    doc.key_value_pairs['Population'] = population;
    await writeFile(file, JSON.stringify(doc, null, 4));
  }

  it('serves a reopened experiment from the index, not from the item files, until reindex()', async () => {
    await (await open()).close();
    const index = await readFile(path.join(exp, INDEX), 'utf8');
    expect(index.split('\n').filter(Boolean).length).toBe(1 + 3 * 2 + 100 + 100 + 49);
    await retag(item('population1_001.md.json'), 'edited-by-v1');
    const original = await readFile(item('population1_003.md.json'), 'utf8');
    await writeFile(item('population1_003.md.json'), '{ not json');
    const store = await open();
    const items = await store.items();
    expect(items.find((i) => i.name === 'population1_001.tif')?.tags['Population']).toBe('population1');
    expect(items).toHaveLength(100);
    await expect(store.reindex()).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('population1_003.md.json') });
    await writeFile(item('population1_003.md.json'), original);
    await retag(item('population1_003.md.json'), 'fixed');
    await store.reindex();
    const after = await store.items();
    expect(after.find((i) => i.name === 'population1_001.tif')?.tags['Population']).toBe('edited-by-v1');
    expect(after.find((i) => i.name === 'population1_003.tif')?.tags['Population']).toBe('fixed');
    expect((await store.items('copied')).find((i) => i.name === 'o_population1_001')?.tags['Population']).toBe('edited-by-v1');
    await store.close();
  });

  it('rebuilds a dataset whose file changed behind its back (as v1 rewrites it)', async () => {
    const store = await open();
    expect(await store.items()).toHaveLength(100);
    const datasetFile = path.join(exp, 'data/raw_dataset.md.json');
    const doc = JSON.parse(await readFile(datasetFile, 'utf8')) as { urls: { url: string }[] };
    const removed = doc.urls.shift();
    await retag(item('population2_084.md.json'), 'seen');
    await writeFile(datasetFile, JSON.stringify(doc, null, 4));
    const items = await store.items();
    expect(items).toHaveLength(99);
    expect(items.some((i) => fileURLToPath(i.uri).endsWith(removed?.url ?? '?'))).toBe(false);
    expect(items.find((i) => i.name === 'population2_084.tif')?.tags['Population']).toBe('seen');
    const reopened = await open();
    expect(await reopened.items()).toEqual(items);
    await reopened.close();
    await store.close();
  });

  it('sees what another store wrote, through the index log', async () => {
    const a = await open();
    const b = await open();
    const first = (await b.items())[0];
    const added = await a.addRawItems(await sourceItems(path.join(fixture.workspace, 'src'), 'new', 3));
    await a.updateTags([{ itemId: first?.id ?? '', set: { Population: 'changed' } }]);
    const seen = await b.items();
    expect(seen).toHaveLength(103);
    expect(seen.slice(-3)).toEqual(added);
    expect(seen[0]?.tags['Population']).toBe('changed');
    await a.close();
    await b.close();
  });

  it('recovers from a corrupt index and from a torn last line', async () => {
    const store = await open();
    const expected = await store.items();
    await store.close();
    await writeFile(path.join(exp, INDEX), 'garbage\n{"op":');
    expect(await (await open()).items()).toEqual(expected);
    expect((await readFile(path.join(exp, INDEX), 'utf8')).startsWith('{"index":"bioimageit-ts","version":1}\n')).toBe(true);
    await appendFile(path.join(exp, INDEX), '{"op":"item","key":"data/raw_dataset.md.json","entr');
    const writer = await open();
    const added = await writer.addRawItems(await sourceItems(path.join(fixture.workspace, 'src'), 'after', 2));
    await writer.close();
    const lines = (await readFile(path.join(exp, INDEX), 'utf8')).split('\n').filter(Boolean);
    expect(() => lines.forEach((l) => JSON.parse(l))).not.toThrow();
    expect(await (await open()).items()).toEqual([...expected, ...added]);
  });

  it('appends one chunk per write and compacts when superseded records dominate', async () => {
    const store = await open();
    const raw = await store.items();
    const [first] = raw;
    const lineCount = async (): Promise<number> => (await readFile(path.join(exp, INDEX), 'utf8')).split('\n').filter(Boolean).length;
    const initial = await lineCount();
    await store.addRawItems(await sourceItems(path.join(fixture.workspace, 'src'), 'x', 5));
    expect(await lineCount()).toBe(initial + 6);
    const processed = await store.items('copied');
    for (let round = 0; round < 7; round++) {
      await store.updateTags([...raw, ...processed].map((item) => ({ itemId: item.id, set: { round: String(round) } })));
    }
    expect(await lineCount()).toBeLessThan(initial + 6 + 7 * 200);
    const reopened = await open();
    expect((await reopened.getItem(first?.id ?? '')).tags['round']).toBe('6');
    expect(await reopened.items()).toHaveLength(105);
    await reopened.close();
    await store.close();
  });
});

import { mkdtemp, readFile, rm, stat, writeFile, open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseQuery, type DataItem, type NewRawItem } from '@bioimageit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, openSnapshot, type SnapshotRow } from './index-snapshot.js';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import type { LocalFsExperimentStore } from './local-fs-experiment-store.js';

const row = (i: number, extra: Partial<SnapshotRow> = {}): SnapshotRow => ({
  uuid: `uuid-${i}`,
  url: `item_${i}.md.json`,
  present: i % 7 !== 3,
  processed: false,
  at: 1000 + i * 300,
  length: 250 + (i % 5),
  name: `item_${i}_ü✓.tif`,
  format: i % 2 === 0 ? 'imagetiff' : 'omezarr',
  date: `2024-05-0${(i % 3) + 1}`,
  dataUrl: `item_${i}.tif`,
  tags: i % 4 === 0 ? {} : { Population: `p${i % 3}`, Well: `W${i % 96}`, ...(i % 2 === 0 && { 'cell line': 'HeLa ✓' }) },
  ...extra,
});

describe('index snapshot encoding', () => {
  it('decodes every column of what it encoded (unicode, missing items, absent tags, two datasets)', () => {
    const rows = Array.from({ length: 301 }, (_, i) => row(i));
    const log = { ino: 42, offset: 123456, lines: 999, tail: Buffer.from('tail bytes').toString('base64') };
    const data = encodeSnapshot(log, [
      {
        key: 'data/raw_dataset.md.json',
        head: { uuid: 'u', name: 'data' },
        sig: { size: 10, mtimeMs: 5.5, ino: 7 },
        count: rows.length,
        row: (i) => rows[i] as SnapshotRow,
      },
      { key: 'empty/processed.md.json', head: { uuid: 'v', name: 'empty' }, count: 0, row: () => row(0) },
    ]);
    const decoded = decodeSnapshot(data);
    expect(decoded?.log).toEqual(log);
    expect(decoded?.datasets.map((d) => [d.key, d.head, d.sig, d.columns.count])).toEqual([
      ['data/raw_dataset.md.json', { uuid: 'u', name: 'data' }, { size: 10, mtimeMs: 5.5, ino: 7 }, 301],
      ['empty/processed.md.json', { uuid: 'v', name: 'empty' }, undefined, 0],
    ]);
    const columns = decoded?.datasets[0]?.columns;
    expect(rows.map((_, i) => columns?.row(i))).toEqual(rows);
  });

  it('decodes from an unaligned copy, and refuses bytes that are not a whole snapshot', () => {
    const data = encodeSnapshot({ ino: 1, offset: 10, lines: 2, tail: '' }, [{ key: 'k', head: {}, count: 3, row: (i) => row(i) }]);
    const unaligned = Buffer.alloc(data.length + 3).subarray(3);
    data.copy(unaligned);
    expect(decodeSnapshot(unaligned)?.datasets[0]?.columns.row(2)).toEqual(row(2));
    expect(decodeSnapshot(data.subarray(0, data.length - 20))).toBeUndefined();
    expect(decodeSnapshot(Buffer.from('BIITSNP1 not really'))).toBeUndefined();
    expect(decodeSnapshot(Buffer.from('{"index":"bioimageit-ts"}'))).toBeUndefined();
  });

  it('gives equal tuple codes exactly to rows with the same values of the asked keys', () => {
    const rows = Array.from({ length: 200 }, (_, i) => row(i));
    const data = encodeSnapshot({ ino: 1, offset: 10, lines: 2, tail: '' }, [{ key: 'k', head: {}, count: rows.length, row: (i) => rows[i] as SnapshotRow }]);
    const columns = decodeSnapshot(data)?.datasets[0]?.columns;
    const code = columns?.tagTupleCode(['Population', 'missing key', 'Well']);
    expect(code).toBeDefined();
    for (let a = 0; a < rows.length; a += 7) {
      for (let b = 0; b < rows.length; b += 3) {
        const same = rows[a]?.tags['Population'] === rows[b]?.tags['Population'] && rows[a]?.tags['Well'] === rows[b]?.tags['Well'];
        expect(code?.(a) === code?.(b)).toBe(same);
      }
    }
  });
});

describe('index snapshot file, read a column at a time', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-fs-snapshot-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (count: number): Promise<{ file: string; data: Buffer }> => {
    const data = encodeSnapshot({ ino: 3, offset: 99, lines: 4, tail: 'dGFpbA==' }, [{ key: 'k', head: { name: 'data' }, count, row: (i) => row(i) }]);
    const file = path.join(dir, 'index.snapshot');
    await writeFile(file, data);
    return { file, data };
  };

  it('reads what was written, the same as from memory', async () => {
    const { file, data } = await write(257);
    const opened = openSnapshot(file);
    const inMemory = decodeSnapshot(data);
    expect(opened?.log).toEqual(inMemory?.log);
    const [fromFile, fromMemory] = [opened?.datasets[0]?.columns, inMemory?.datasets[0]?.columns];
    expect([fromFile?.count, fromFile?.presentCount()]).toEqual([257, fromMemory?.presentCount()]);
    for (const i of [0, 3, 128, 256]) expect(fromFile?.row(i)).toEqual(row(i));
    opened?.close();
  });

  it('reads the header only until a column is used: a count survives a file cut short, a row then names the snapshot', async () => {
    const { file, data } = await write(300);
    const opened = openSnapshot(file);
    await writeFile(file, data.subarray(0, 200)); // the same file (inode), cut after the header
    const columns = opened?.datasets[0]?.columns;
    expect(columns?.count).toBe(300);
    expect(() => columns?.row(5)).toThrow(expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining(file) }));
    opened?.close();
  });

  it('refuses, when opening, a file whose sections do not fit it, and a missing file', async () => {
    const { file, data } = await write(50);
    await writeFile(file, data.subarray(0, data.length - 64));
    expect(openSnapshot(file)).toBeUndefined();
    expect(openSnapshot(path.join(dir, 'none'))).toBeUndefined();
    await writeFile(file, 'BIITSNP1 not really');
    expect(openSnapshot(file)).toBeUndefined();
  });
});

describe('local-fs index snapshot', () => {
  let dir: string;
  let exp: string;
  const backend = () => new LocalFsStorageBackend({ fsync: false });
  const open = async () => (await backend().openExperiment(exp)) as LocalFsExperimentStore;
  const LOG = () => path.join(exp, '.bioimageit/index.jsonl');
  const SNAPSHOT = () => path.join(exp, '.bioimageit/index.snapshot');
  const QUERIES = [
    '',
    'Population=p1',
    'Population=p1 AND Well in (W2, W4, W6)',
    'number>1200 OR Population=p2',
    'name=_00',
    'format=omezarr AND Population!=p0',
    "date>'2024-05-01'",
    'channels=DAPI',
    '"cell line"~HeLa',
  ];

  function items(count: number, from = 0): NewRawItem[] {
    return Array.from({ length: count }, (_, k) => {
      const i = from + k;
      return {
        sourcePath: path.join(dir, 'src', `f${i}.tif`),
        name: `img_${String(i).padStart(5, '0')}.tif`,
        mode: 'reference' as const,
        format: i % 3 === 0 ? 'omezarr' : 'imagetiff',
        size: 10,
        sha256: 'a'.repeat(64),
        metadata: i % 5 === 0 ? { channels: [{ name: 'DAPI' }, { name: 'GFP' }] } : {},
        tags: { Population: `p${i % 3}`, Well: `W${i % 96}`, number: String(i), ...(i % 2 === 0 && { 'cell line': 'HeLa ✓' }) },
        author: 'tester',
        date: `2024-05-0${(i % 4) + 1}`,
      };
    });
  }

  async function answers(store: LocalFsExperimentStore): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const q of QUERIES) {
      const query = parseQuery(q);
      const all = await store.selectItems('data', query);
      const page = await store.selectItems('data', query, { offset: 5, limit: 7 });
      const count = await store.selectItems('data', query, { limit: 0 });
      out.push([q, all.total, all.items.map((i) => i.id), page.items.map((i) => i.id), count]);
    }
    return out;
  }

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-fs-snapshot-'));
    const store = await backend().createExperiment(dir, { name: 'exp', author: 'tester', keys: [] });
    exp = path.join(dir, 'exp');
    // Several commits, over 1,000 records: the writer snapshots the index on the way.
    for (let start = 0; start < 1500; start += 500) await store.addRawItems(items(500, start));
    await store.close();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers a reopened experiment from the snapshot exactly as from the items, with pages and counts', async () => {
    expect((await stat(SNAPSHOT())).size).toBeGreaterThan(0);
    const store = await open();
    const expected: unknown[] = [];
    const all = await store.items();
    for (const q of QUERIES) {
      const hits = all.filter((item) => parseQuery(q).matches(item));
      expected.push([q, hits.length, hits.map((i) => i.id), hits.slice(5, 12).map((i) => i.id), { total: hits.length, items: [] }]);
    }
    expect(expected.map((e) => (e as unknown[])[1])).toContain(1500);
    const fresh = await open();
    expect(await answers(fresh)).toEqual(expected);
    // Items read through the snapshot are the same items.
    expect(await fresh.items()).toEqual(all);
    await store.close();
    await fresh.close();
  });

  it('counts without reading item records; reading a damaged record names the item and the index', async () => {
    const reader = await open();
    const victim = (await reader.items())[100] as DataItem;
    await reader.close();
    // Blank out the victim's record in place (same inode, same length, the snapshot still matches the log's end).
    const log = await readFile(LOG(), 'utf8');
    const start = log.indexOf(`{"op":"item","key":"data/raw_dataset.md.json","entry":{"uuid":"${victim.id}"`);
    expect(start).toBeGreaterThan(0);
    const end = log.indexOf('\n', start);
    const handle = await openFile(LOG(), 'r+');
    await handle.write(Buffer.from(' '.repeat(end - start)), 0, end - start, Buffer.byteLength(log.slice(0, start)));
    await handle.close();
    const store = await open();
    expect((await store.selectItems('data', parseQuery('Population=p1'), { limit: 0 })).total).toBe(500);
    expect((await store.selectItems('data', parseQuery(`number=${victim.tags['number']}`), { limit: 0 })).total).toBe(1);
    await expect(store.selectItems('data', parseQuery(`number=${victim.tags['number']}`))).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(/img_00100\.md\.json.*index\.jsonl/),
    });
    await store.close();
  });

  it('ignores a snapshot of another log version, and a damaged snapshot, and writes a good one', async () => {
    const store = await open();
    const expected = await answers(store);
    await store.reindex(); // rewrites the log (new inode) and its snapshot
    const old = await readFile(SNAPSHOT());
    await store.close();
    // A snapshot of an older log version (another process compacted meanwhile): not used.
    const other = await open();
    await other.reindex();
    await other.close();
    await writeFile(SNAPSHOT(), old);
    expect(await answers(await open())).toEqual(expected);
    await writeFile(SNAPSHOT(), Buffer.concat([old.subarray(0, 200), Buffer.from('garbage')]));
    const fresh = await open();
    expect(await answers(fresh)).toEqual(expected);
    await fresh.close();
    expect(decodeSnapshot(await readFile(SNAPSHOT()))).toBeDefined();
  });

  it('reads what was committed after the snapshot: new items and edited tags', async () => {
    const writer = await open();
    const added = await writer.addRawItems(items(10, 5000));
    const first = (await writer.items())[0] as DataItem;
    await writer.updateTags([{ itemId: first.id, set: { Population: 'edited' } }]);
    await writer.close();
    // The closing writer left a snapshot of all it wrote: readers parse no tail.
    expect(decodeSnapshot(await readFile(SNAPSHOT()))?.log.offset).toBe((await stat(LOG())).size);
    const store = await open();
    expect((await store.selectItems('data', parseQuery(''), { limit: 0 })).total).toBe(1510);
    expect((await store.selectItems('data', parseQuery('Population=edited'))).items.map((i) => i.id)).toEqual([first.id]);
    expect((await store.selectItems('data', parseQuery('number>=5000'))).items.map((i) => i.id)).toEqual(added.map((i) => i.id));
    expect((await store.selectItems('data', parseQuery('Population=p0'), { limit: 0 })).total).toBe(500 + 3 - 1);
    await store.close();
  });

  it('lets a deleted snapshot or log cost a rebuild only', async () => {
    const store = await open();
    const expected = await answers(store);
    await store.close();
    await rm(SNAPSHOT());
    expect(await answers(await open())).toEqual(expected);
    await rm(LOG());
    await rm(SNAPSHOT(), { force: true });
    const rebuilt = await open();
    expect(await answers(rebuilt)).toEqual(expected);
    await rebuilt.close();
  });
});

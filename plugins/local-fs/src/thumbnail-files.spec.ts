import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyPng } from '@bioimageit/core/testing';
import { GroupCommit, type CommitOutcome } from './group-commit.js';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItems } from './test-support/source-files.js';

describe('local-fs thumbnails', () => {
  let workspace: string;
  const backend = new LocalFsStorageBackend({ fsync: false });

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-thumbs-'));
  });
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('stores the PNG under .bioimageit/thumbnails and records it in the item file extras, v1 keys untouched', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const [item] = await store.addRawItems(await sourceItems(path.join(workspace, 'src'), 'a', 1));
    const itemFile = path.join(workspace, 'exp', 'data', 'a_0000.md.json');
    const before = JSON.parse(await readFile(itemFile, 'utf8')) as Record<string, unknown>;
    const uri = await store.saveThumbnail(item!.id, tinyPng(3));
    const png = path.join(workspace, 'exp', '.bioimageit', 'thumbnails', `${item!.id}.png`);
    expect(fileURLToPath(uri)).toBe(png);
    expect(Buffer.from(await readFile(png)).equals(Buffer.from(tinyPng(3)))).toBe(true);
    const after = JSON.parse(await readFile(itemFile, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect({ ...after, bioimageit_ts: undefined }).toEqual({ ...before, bioimageit_ts: undefined });
    expect(after['bioimageit_ts']).toEqual({ ...(before['bioimageit_ts'] as object), thumbnail: `../.bioimageit/thumbnails/${item!.id}.png` });
    const other = await new LocalFsStorageBackend().openExperiment(store.uri);
    expect((await other.getItem(item!.id)).thumbnail).toBe(uri);
    await other.close();
    await store.close();
  });

  it('keeps 200 concurrent saves, each recorded once in the index', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const items = await store.addRawItems(await sourceItems(path.join(workspace, 'src'), 'x', 200));
    const index = path.join(workspace, 'exp', '.bioimageit', 'index.jsonl');
    const linesBefore = (await readFile(index, 'utf8')).split('\n').length;
    const uris = await Promise.all(items.map((item, i) => store.saveThumbnail(item.id, tinyPng(i))));
    expect(new Set(uris).size).toBe(200);
    expect((await store.items()).every((item, i) => item.thumbnail === uris[i])).toBe(true);
    expect((await readFile(index, 'utf8')).split('\n').length - linesBefore).toBe(200);
    for (const uri of uris.slice(0, 3)) expect(existsSync(fileURLToPath(uri))).toBe(true);
    await store.close();
  });

  it('rejects saves on a closed store', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const [item] = await store.addRawItems(await sourceItems(path.join(workspace, 'src'), 'a', 1));
    await store.close();
    await expect(store.saveThumbnail(item!.id, tinyPng(1))).rejects.toMatchObject({ code: 'INVALID' });
  });
});

describe('GroupCommit', () => {
  /** A transaction runner that counts transactions and can be held open or made to fail. */
  function harness() {
    const state = { transactions: 0, hold: Promise.resolve(), failNext: false };
    const batches: string[][] = [];
    const group = new GroupCommit<string, string>(
      async (fn) => {
        state.transactions++;
        if (state.failNext) {
          state.failNext = false;
          throw new Error('lock timeout');
        }
        await state.hold;
        await fn();
      },
      async (requests): Promise<CommitOutcome<string>[]> => {
        batches.push([...requests]);
        return requests.map((r) => (r === 'bad' ? { ok: false, error: new Error(`bad request ${r}`) } : { ok: true, value: r.toUpperCase() }));
      },
    );
    return { state, batches, group };
  }

  it('joins requests that wait for a busy store into one transaction; a bad one fails alone', async () => {
    const { state, batches, group } = harness();
    let release!: () => void;
    state.hold = new Promise((resolve) => (release = resolve));
    const first = group.add('a');
    const later = ['b', 'bad', 'c'].map((r) => group.add(r).catch((e: Error) => e.message));
    release();
    expect(await first).toBe('A');
    expect(await Promise.all(later)).toEqual(['B', 'bad request bad', 'C']);
    expect(batches).toEqual([['a', 'b', 'bad', 'c']]);
    expect(state.transactions).toBe(1);
  });

  it('rejects every request of a transaction that could not start, then works again', async () => {
    const { state, group } = harness();
    state.failNext = true;
    const failed = await Promise.allSettled([group.add('a'), group.add('b')]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    expect(await group.add('c')).toBe('C');
  });
});

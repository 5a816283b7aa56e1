import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TagService, type NewRawItem, type TagUpdate } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItem } from './test-support/source-files.js';

describe('local-fs: rejected tag edits change nothing; skip-existing under the lock', () => {
  let workspace: string;
  let src: string;
  const backend = new LocalFsStorageBackend({ fsync: false });

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-guards-'));
    src = path.join(workspace, '..', `${path.basename(workspace)}-src`);
  });
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  });

  it.each(['__proto__', 'constructor', 'prototype', '', ' ', 'a\u0007b', 'a\u007fb'])('rejects the tag key %j without touching items or keys', async (bad) => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me', keys: ['KeyA'] });
    const [item] = await store.addRawItems([await sourceItem(src, 'a.tif', { KeyA: 'a' })]);
    const set = JSON.parse(`{"KeyB":"b",${JSON.stringify(bad)}:"x"}`) as Record<string, string>;
    const update: TagUpdate = { itemId: item!.id, set };
    await expect(store.updateTags([update])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.updateTags([{ itemId: item!.id, remove: [bad] }])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.setTagKeys(['KeyA', bad])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(new TagService().applyRule(store, { kind: 'set', tags: set })).rejects.toMatchObject({ code: 'INVALID' });
    expect((await store.info()).keys).toEqual(['KeyA']);
    expect((await store.getItem(item!.id)).tags).toEqual({ KeyA: 'a' });
  });

  it('rejects a tag value with a control character, and accepts tabs and line breaks', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const [item] = await store.addRawItems([await sourceItem(src, 'a.tif')]);
    await expect(store.updateTags([{ itemId: item!.id, set: { K: 'a\u0000b' } }])).rejects.toMatchObject({ code: 'INVALID' });
    await store.updateTags([{ itemId: item!.id, set: { K: 'a\tb\nc' } }]);
    expect((await store.getItem(item!.id)).tags).toEqual({ K: 'a\tb\nc' });
  });

  it('with skipExisting, leaves out inputs already stored (same name and sha256) and reports them', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const a = await sourceItem(src, 'a.tif');
    const b = await sourceItem(src, 'b.tif');
    await store.addRawItems([a]);
    const other = await backend.openExperiment(store.uri);
    const skipped: NewRawItem[] = [];
    const added = await other.addRawItems([a, b], { skipExisting: true, onSkipped: (input) => skipped.push(input) });
    expect(added.map((i) => i.name)).toEqual(['b.tif']);
    expect(skipped).toEqual([a]);
    expect((await store.items()).map((i) => i.name)).toEqual(['a.tif', 'b.tif']);
    expect(await other.addRawItems([a, b], { skipExisting: true })).toEqual([]);
    expect((await store.addRawItems([a])).map((i) => i.name)).toEqual(['a_1.tif']);
  });
});

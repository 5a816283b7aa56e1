import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { sourceItem } from './test-support/source-files.js';

describe('local-fs experiment store failures', () => {
  let workspace: string;
  let src: string;
  const backend = new LocalFsStorageBackend({ fsync: false });

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-store-'));
    src = path.join(workspace, '..', `${path.basename(workspace)}-src`);
  });
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true });
    await rm(src, { recursive: true, force: true });
  });

  it('commits nothing and leaves no file when a batch fails', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const good = await sourceItem(src, 'good.tif');
    const missing = { ...(await sourceItem(src, 'missing.tif')), sourcePath: path.join(src, 'nope.tif') };
    await expect(store.addRawItems([good, missing])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope.tif') });
    expect(await store.items()).toEqual([]);
    expect((await readdir(path.join(workspace, 'exp', 'data'))).sort()).toEqual(['raw_dataset.md.json']);
    expect((await store.addRawItems([good]))[0]?.name).toBe('good.tif');
  });

  it('deletes only experiment folders, never files referenced in place', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    const outside = await sourceItem(src, 'outside.tif', {}, 'reference');
    const [item] = await store.addRawItems([outside]);
    expect(fileURLToPath(item?.dataUri ?? '')).toBe(outside.sourcePath);
    expect(await store.localize(item!)).toBe(outside.sourcePath);
    await mkdir(path.join(workspace, 'not-an-experiment'));
    await expect(backend.deleteExperiment(path.join(workspace, 'not-an-experiment'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(existsSync(path.join(workspace, 'not-an-experiment'))).toBe(true);
    await backend.deleteExperiment(store.uri);
    expect(existsSync(path.join(workspace, 'exp'))).toBe(false);
    expect(existsSync(outside.sourcePath)).toBe(true);
  });

  it('refuses stored urls that leave the experiment and names corrupt files', async () => {
    const store = await backend.createExperiment(workspace, { name: 'exp', author: 'me' });
    await store.addRawItems([await sourceItem(src, 'a.tif')]);
    await store.close();
    const datasetFile = path.join(workspace, 'exp', 'data', 'raw_dataset.md.json');
    const doc = JSON.parse(await readFile(datasetFile, 'utf8')) as { urls: { url: string }[] };
    doc.urls[0]!.url = '../../../etc/passwd.md.json';
    await writeFile(datasetFile, JSON.stringify(doc, null, 4));
    await expect(backend.openExperiment(path.join(workspace, 'exp'))).rejects.toMatchObject({
      code: 'PATH_ESCAPE',
      message: expect.stringContaining('raw_dataset.md.json'),
    });
    await writeFile(path.join(workspace, 'exp', 'experiment.md.json'), '{"uuid": ');
    await expect(backend.openExperiment(path.join(workspace, 'exp'))).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining('experiment.md.json'),
    });
    await expect(backend.listExperiments(workspace)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('refuses a second experiment whose folder name is taken, and bad tag keys', async () => {
    const store = await backend.createExperiment(`file://${workspace}`, { name: 'My Exp', author: 'me' });
    expect(fileURLToPath(store.uri)).toBe(path.join(workspace, 'MyExp'));
    await expect(backend.createExperiment(workspace, { name: 'MyExp', author: 'me' })).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(store.setTagKeys(['a', 'a'])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.updateTags([{ itemId: 'x', set: { '': 'v' } }])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(backend.openExperiment('omero://server/1')).rejects.toMatchObject({ code: 'INVALID' });
    await store.close();
    await expect(store.items()).rejects.toMatchObject({ code: 'INVALID' });
  });
});

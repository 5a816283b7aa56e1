import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem } from '@bioimageit/core';
import type { LocalFsExperimentStore } from './local-fs-experiment-store.js';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { runRecord, stagedOutput } from './test-support/processed-outputs.js';
import { sourceItem } from './test-support/source-files.js';

const SHM = '/dev/shm';
const otherDevice = (dir: string): boolean => existsSync(SHM) && statSync(SHM).dev !== statSync(dir).dev;

describe('local-fs processed datasets, runs and job outputs', () => {
  let workspace: string;
  let exp: string;
  let store: LocalFsExperimentStore;
  let raw: DataItem;
  const backend = new LocalFsStorageBackend({ fsync: false });

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-processed-'));
    store = await backend.createExperiment(workspace, { name: 'exp', author: 'me', keys: ['Population'] });
    exp = path.join(workspace, 'exp');
    [raw] = (await store.addRawItems([await sourceItem(path.join(workspace, 'src'), 'a.tif', { Population: 'p1' })])) as [DataItem];
    await store.ensureProcessedDataset('thr');
    await store.saveRun(runRecord('thr', 'run-1'));
  });
  afterEach(async () => {
    await store.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it('leaves staged outputs in place and no file in the dataset when a commit fails', async () => {
    const good = await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id]);
    const missing = { ...(await stagedOutput(store, 'o_b.tif', 'run-1', [raw.id])), sourcePath: path.join(exp, 'nope.tif') };
    await expect(store.commitProcessedItems('thr', [good, missing])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope.tif') });
    const unknown = await stagedOutput(store, 'o_c.tif', 'run-1', ['no-such-id']);
    await expect(store.commitProcessedItems('thr', [good, unknown])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no-such-id'),
    });
    expect(existsSync(good.sourcePath) && existsSync(unknown.sourcePath)).toBe(true);
    expect((await readdir(path.join(exp, 'thr'))).sort()).toEqual(['processed_dataset.md.json', 'run.md.json']);
    expect(await store.items('thr')).toEqual([]);
    await expect(store.commitProcessedItems('data', [good])).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.saveRun(runRecord('data', 'run-2'))).rejects.toMatchObject({ code: 'INVALID' });
    expect(await store.commitProcessedItems('thr', [good])).toHaveLength(1);
    expect(existsSync(good.sourcePath)).toBe(false);
  });

  it.skipIf(!otherDevice(tmpdir()))('copies outputs staged on another file system, then deletes them', async () => {
    const dir = await mkdtemp(path.join(SHM, 'local-fs-staging-'));
    try {
      const output = await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id], { dir });
      const [item] = await store.commitProcessedItems('thr', [output]);
      expect(await readFile(fileURLToPath(item?.dataUri ?? ''), 'utf8')).toMatch(/^output o_a.tif/);
      expect(existsSync(output.sourcePath)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('copies, never moves, a source that is a file of the experiment outside staging', async () => {
    const own = { ...(await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id])), sourcePath: fileURLToPath(raw.dataUri) };
    const [item] = await store.commitProcessedItems('thr', [own]);
    expect(await readFile(fileURLToPath(item?.dataUri ?? ''))).toEqual(await readFile(fileURLToPath(raw.dataUri)));
    expect((await store.items()).map((i) => i.id)).toEqual([raw.id]);
    expect(existsSync(fileURLToPath(raw.dataUri))).toBe(true);
  });

  it('numbers run files, rewrites a run in place and keeps item names off run file names', async () => {
    const [item] = await store.commitProcessedItems('thr', [await stagedOutput(store, 'run.tif', 'run-1', [raw.id])]);
    expect(item?.name).toBe('run_1');
    await store.saveRun(runRecord('thr', 'run-2'));
    await store.saveRun(runRecord('thr', 'run-1', { status: 'succeeded' }));
    const names = (await readdir(path.join(exp, 'thr'))).filter((n) => n.startsWith('run')).sort();
    expect(names).toEqual(['run.md.json', 'run_1.md.json', 'run_1.tif', 'run_2.md.json']);
    const runs = await (await new LocalFsStorageBackend().openExperiment(exp)).listRuns('thr');
    expect(runs.map((r) => [r.id, r.status])).toEqual([
      ['run-1', 'succeeded'],
      ['run-2', 'running'],
    ]);
    await writeFile(path.join(exp, 'thr/run_5.md.json'), '{ torn');
    await expect(store.listRuns()).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('run_5.md.json') });
    await store.saveRun(runRecord('thr', 'run-3'));
    expect(existsSync(path.join(exp, 'thr/run_6.md.json'))).toBe(true);
  });

  it('keeps logs under logs/<run>/ and staging folders under .bioimageit/staging/', async () => {
    const log = path.join(workspace, 'stdout.txt');
    await writeFile(log, 'line 1\n');
    expect(await store.saveRunLog('thr', 'run-1', 'job-1.stdout', log)).toBe('logs/run-1/job-1.stdout');
    await writeFile(log, 'line 1\nline 2\n');
    await store.saveRunLog('thr', 'run-1', 'job-1.stdout', log);
    expect(await readFile(path.join(exp, 'thr/logs/run-1/job-1.stdout'), 'utf8')).toBe('line 1\nline 2\n');
    await expect(store.saveRunLog('thr', 'run-1', '../x', log)).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.saveRunLog('thr', 'a/b', 'x', log)).rejects.toMatchObject({ code: 'INVALID' });
    const dir = await store.createStagingDir('job 7: threshold/a.tif');
    expect(path.dirname(dir)).toBe(path.join(exp, '.bioimageit', 'staging'));
    // The label, then who made it (host tag, pid, start time), so that a sweep can tell when its maker died.
    expect(path.basename(dir)).toMatch(new RegExp(`^job_7_threshold_a\\.tif@[0-9a-f]{8}\\.${process.pid}(\\.\\d+)?-[A-Za-z0-9]{6}$`));
    const [item] = await store.commitProcessedItems('thr', [await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id], { dir })]);
    expect(path.dirname(fileURLToPath(item?.dataUri ?? ''))).toBe(path.join(exp, 'thr'));
  });

  it('serves processed items from the index, not from their files', async () => {
    const [item] = await store.commitProcessedItems('thr', [await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id], { tags: { Quality: 'good' } })]);
    const index = await readFile(path.join(exp, '.bioimageit/index.jsonl'), 'utf8');
    expect(index).toContain(`"key":"thr/processed_dataset.md.json","entry":{"uuid":"${item?.id}"`);
    await writeFile(fileURLToPath(item?.uri ?? ''), '{ not json');
    const reopened = await new LocalFsStorageBackend().openExperiment(exp);
    expect(await reopened.items('thr')).toEqual([item]);
    expect(item?.tags).toEqual({ Population: 'p1', Quality: 'good' });
    expect((await reopened.info()).keys).toEqual(['Population', 'Quality']);
    await reopened.close();
  });

  it('gives an output of several inputs only the tags they all share, kept as its own tags (v1 fields unchanged)', async () => {
    const src = path.join(workspace, 'src');
    const [b, c] = (await store.addRawItems([
      await sourceItem(src, 'b.tif', { Population: 'p1', Well: 'A01', number: '1' }),
      await sourceItem(src, 'c.tif', { Population: 'p2', Well: 'A01', number: '1' }),
    ])) as [DataItem, DataItem];
    const [one, many] = await store.commitProcessedItems('thr', [
      await stagedOutput(store, 'o_b.tif', 'run-1', [b.id]),
      await stagedOutput(store, 'summary.tif', 'run-1', [b.id, c.id], { tags: { Kind: 'summary' } }),
    ]);
    expect(one?.tags).toEqual(b.tags);
    expect(many?.tags).toEqual({ Well: 'A01', number: '1', Kind: 'summary' });
    const doc = JSON.parse(await readFile(fileURLToPath(many?.uri ?? ''), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['uuid', 'common', 'origin', 'bioimageit_ts']);
    expect((doc['origin'] as { inputs: { uuid: string }[] }).inputs.map((i) => i.uuid)).toEqual([b.id, c.id]);
    expect(doc['bioimageit_ts']).toMatchObject({ tags: { Well: 'A01', number: '1', Kind: 'summary' }, inheritsTags: false });
    const reopened = await new LocalFsStorageBackend().openExperiment(exp);
    expect(await reopened.getItem(many?.id ?? '')).toEqual(many);
    await reopened.updateTags([{ itemId: many?.id ?? '', remove: ['number'] }]);
    expect((await reopened.getItem(many?.id ?? '')).tags).toEqual({ Well: 'A01', Kind: 'summary' });
    const [derived] = await reopened.commitProcessedItems('thr', [await stagedOutput(reopened, 'o_summary.tif', 'run-1', [many?.id ?? ''])]);
    expect(derived?.tags).toEqual({ Well: 'A01', Kind: 'summary' });
    await reopened.close();
  });

  it('serializes commits of two stores into one dataset', async () => {
    const other = await new LocalFsStorageBackend().openExperiment(exp);
    const batches = await Promise.all([
      store.commitProcessedItems('thr', [await stagedOutput(store, 'o_a.tif', 'run-1', [raw.id])]),
      other.commitProcessedItems('thr', [await stagedOutput(other, 'o_a.tif', 'run-1', [raw.id])]),
    ]);
    expect(
      batches
        .flat()
        .map((i) => i.name)
        .sort(),
    ).toEqual(['o_a', 'o_a_1']);
    expect((await store.items('thr')).map((i) => i.id).sort()).toEqual(
      batches
        .flat()
        .map((i) => i.id)
        .sort(),
    );
    await other.close();
  });

  it('adopts a dataset file left unlisted and refuses names that differ only by case', async () => {
    await mkdir(path.join(exp, 'orphan'));
    await writeFile(path.join(exp, 'orphan/processed_dataset.md.json'), JSON.stringify({ uuid: 'u-orphan', name: 'orphan', urls: [] }));
    expect((await store.ensureProcessedDataset('orphan')).id).toBe('u-orphan');
    await expect(store.ensureProcessedDataset('Thr')).rejects.toMatchObject({ code: 'INVALID' });
    await expect(store.ensureProcessedDataset('.bioimageit')).rejects.toMatchObject({ code: 'INVALID' });
    expect((await store.listDatasets()).map((d) => d.name)).toEqual(['data', 'thr', 'orphan']);
  });
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseQuery, type DataItem, type ExperimentProblem, type NewRawItem } from '@bioimageit/core';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { decodeSnapshot, encodeSnapshot } from './index-snapshot.js';
import type { LocalFsExperimentStore } from './local-fs-experiment-store.js';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { runRecord, stagedOutput } from './test-support/processed-outputs.js';
import { sourceItem } from './test-support/source-files.js';
import { copyV1Fixture, V1_FIXTURE } from './test-support/v1-fixture.js';

type Json = Record<string, unknown>;
const readJson = async (file: string): Promise<Json> => JSON.parse(await readFile(file, 'utf8')) as Json;
const writeJson = (file: string, value: unknown): Promise<void> => writeFile(file, JSON.stringify(value, null, 4));
/** kind + file of each problem, sorted. */
const summary = (problems: readonly ExperimentProblem[]): string[] => problems.map((p) => `${p.kind} ${p.file}`).sort();

describe('local-fs experiment check', () => {
  let workspace: string;
  let exp: string;
  let store: LocalFsExperimentStore;
  let items: DataItem[];
  const backend = new LocalFsStorageBackend({ fsync: false });
  const reopen = async (): Promise<LocalFsExperimentStore> => {
    await store.close();
    store = await backend.openExperiment(exp);
    return store;
  };

  beforeEach(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-check-'));
    store = await backend.createExperiment(workspace, { name: 'exp', author: 'me', keys: ['Population'] });
    exp = path.join(workspace, 'exp');
    const src = path.join(workspace, 'src');
    items = [
      ...(await store.addRawItems([
        await sourceItem(src, 'a.tif', { Population: 'p1' }),
        await sourceItem(src, 'b.tif', { Population: 'p1' }),
        await sourceItem(src, 'c.tif', { Population: 'p2' }),
        await sourceItem(src, 'd.tif', { Population: 'p2' }),
      ])),
      ...(await store.addRawItems([await sourceItem(src, 'ref.tif', { Population: 'p3' }, 'reference')])),
    ];
    await store.ensureProcessedDataset('thr');
    await store.saveRun(runRecord('thr', 'run-1', { status: 'succeeded' }));
    await store.commitProcessedItems('thr', [await stagedOutput(store, 'o_a.tif', 'run-1', [items[0]?.id as string])]);
    await store.saveRun(runRecord('thr', 'run-2', { status: 'succeeded' }));
    await store.commitProcessedItems('thr', [await stagedOutput(store, 'o_b.tif', 'run-2', [items[1]?.id as string])]);
  });
  afterEach(async () => {
    await store.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it('finds nothing wrong in an experiment it wrote, even deep', async () => {
    const report = await store.check({ deep: true });
    expect(report).toMatchObject({ deep: true, checked: { datasets: 2, items: 7, runs: 2, hashed: 7 }, problems: [], repairs: [], remaining: [] });
    expect((await store.check({ repair: true })).repairs).toEqual([]);
  });

  it('names every corruption, repairs what is safe, never deletes data, and a second check agrees', async () => {
    const data = (name: string) => path.join(exp, 'data', name);
    // 1. data files missing: a copied one deleted, a referenced source moved away.
    await unlink(data('a.tif'));
    const referenced = fileURLToPath(items[4]?.dataUri as string);
    await unlink(referenced);
    // 2. files no metadata names: a file and a folder in a dataset folder.
    await writeFile(data('stray.tif'), 'stray');
    await mkdir(path.join(exp, 'thr', 'leftover.zarr'));
    // 3. a data file changed in place, same size (deep checks only), and one grown.
    const c = await readFile(data('c.tif'));
    c[0] = (c[0] as number) ^ 0xff;
    await writeFile(data('c.tif'), c);
    await writeFile(data('d.tif'), Buffer.concat([await readFile(data('d.tif')), Buffer.from('more')]));
    // 4. an item file edited behind the index's back (its dataset file unchanged).
    const bFile = data('b.md.json');
    const bDoc = await readJson(bFile);
    await writeJson(bFile, { ...bDoc, key_value_pairs: { Population: 'edited' } });
    // 5. a dataset file listing one item twice.
    const thrFile = path.join(exp, 'thr', 'processed_dataset.md.json');
    const thr = await readJson(thrFile);
    const urls = thr['urls'] as Json[];
    await writeJson(thrFile, { ...thr, urls: [...urls, urls[0]] });
    // 6. a run record without status.
    const runFile = path.join(exp, 'thr', 'run.md.json');
    const run = await readJson(runFile);
    const { status: _status, ...noStatus } = run['bioimageit_ts'] as Json;
    await writeJson(runFile, { ...run, bioimageit_ts: noStatus });
    // 7. a processed item whose run file is gone.
    await unlink(path.join(exp, 'thr', 'run_1.md.json'));

    store = await reopen();
    expect((await store.selectItems('data', parseQuery('Population=edited'))).total).toBe(0);
    const found = await store.check({ deep: true });
    expect(summary(found.problems)).toEqual(
      [
        `missing-data data/a.tif`,
        `missing-data ${referenced}`,
        'orphan-file data/stray.tif',
        'orphan-file thr/leftover.zarr',
        'checksum-mismatch data/c.tif',
        'size-mismatch data/d.tif',
        'index-drift data/b.md.json',
        'duplicate-entry thr/processed_dataset.md.json',
        'run-without-status thr/run.md.json',
        'missing-run thr/o_b.md.json',
      ].sort(),
    );
    const byKind = new Map(found.problems.map((p) => [p.kind, p]));
    expect(byKind.get('missing-run')).toMatchObject({ run: 'run-2', item: { name: 'o_b' }, repairable: false });
    expect(byKind.get('duplicate-entry')).toMatchObject({ message: `lists '${String(urls[0]?.['url'])}' 2 times`, repairable: true });
    expect(
      found.problems
        .filter((p) => p.repairable)
        .map((p) => p.kind)
        .sort(),
    ).toEqual(['duplicate-entry', 'index-drift', 'run-without-status']);
    expect(found.remaining).toEqual(found.problems);
    expect(found.problems.every((p) => !p.message.includes(workspace))).toBe(true);
    // Without --deep the changed byte goes unseen; the grown file does not.
    expect(summary((await store.check()).problems)).not.toContain('checksum-mismatch data/c.tif');

    const repaired = await store.check({ repair: true, deep: true });
    expect(repaired.repairs.map((r) => `${r.kind} ${r.file}`).sort()).toEqual([
      'duplicate-entry thr/processed_dataset.md.json',
      'index-drift .bioimageit/index.jsonl',
      'run-without-status thr/run.md.json',
    ]);
    expect(summary(repaired.remaining)).toEqual(summary(found.problems.filter((p) => !p.repairable)));
    // What the repair claims: the index serves the edited item, the duplicate is gone, the run reads `unknown`.
    expect((await store.selectItems('data', parseQuery('Population=edited'))).items.map((i) => i.name)).toEqual(['b.tif']);
    expect(((await readJson(thrFile))['urls'] as Json[]).map((u) => u['url'])).toEqual(urls.map((u) => u['url']));
    expect((await store.listRuns('thr')).map((r) => [r.id, r.status])).toEqual([['run-1', 'unknown']]);
    // Nothing was deleted: orphans and changed data are still there.
    expect([existsSync(data('stray.tif')), existsSync(path.join(exp, 'thr', 'leftover.zarr')), existsSync(data('c.tif'))]).toEqual([true, true, true]);
    // A new process agrees.
    store = await reopen();
    const again = await store.check({ deep: true });
    expect(summary(again.problems)).toEqual(summary(found.problems.filter((p) => !p.repairable)));
    expect((await store.selectItems('data', parseQuery('Population=edited'))).total).toBe(1);
  });

  it('reports unreadable and missing metadata without failing, and repairs around them', async () => {
    await writeFile(path.join(exp, 'data', 'c.md.json'), '{ not json');
    await unlink(path.join(exp, 'data', 'd.md.json'));
    await writeFile(path.join(exp, 'thr', 'run_1.md.json'), '[]');
    const report = await store.check({ repair: true });
    expect(summary(report.problems)).toEqual(
      [
        'unreadable-metadata data/c.md.json',
        // The index still serves the item whose file is gone; its data file is named by nothing now.
        'index-drift data/d.md.json',
        'missing-metadata data/d.md.json',
        'orphan-file data/d.tif',
        'unreadable-metadata thr/run_1.md.json',
        'missing-run thr/o_b.md.json',
      ].sort(),
    );
    expect(report.problems.find((p) => p.file === 'data/c.md.json')?.message).toMatch(/^item file is not valid metadata: /);
    // The index cannot be rebuilt while an item file is unreadable: said, and nothing changed.
    expect(report.repairs).toEqual([
      { kind: 'index-drift', file: '.bioimageit/index.jsonl', action: expect.stringMatching(/^could not rebuild the index: .*'data\/c\.md\.json'/) },
    ]);
    expect(report.repairs[0]?.action).not.toContain(workspace);
    expect(summary(report.remaining)).toEqual(summary(report.problems));
    expect((await store.items()).map((i) => i.name)).toEqual(['a.tif', 'b.tif', 'c.tif', 'd.tif', 'ref.tif']);
  });

  it('marks the runs of a v1 experiment as recorded without status, and its unwritten outputs as missing', async () => {
    const fixture = await copyV1Fixture();
    try {
      await addV1ProcessedDataset(fixture.experiment, path.join(path.dirname(V1_FIXTURE), 'failed-run', 'failed'));
      const v1 = await backend.openExperiment(fixture.experiment);
      const report = await v1.check({ repair: true });
      expect(report.checked).toEqual({ datasets: 4, items: 252, runs: 3, hashed: 0 });
      expect(summary(report.problems)).toEqual(
        [
          ...['copied', 'threshold', 'failed'].map((d) => `run-without-status ${d}/run.md.json`),
          ...[1, 3, 5].map((n) => `missing-data failed/o_population1_00${n}.tif`),
        ].sort(),
      );
      expect(report.repairs.map((r) => r.action)).toEqual(Array(3).fill('recorded status unknown (BioImageIT v1 recorded none)'));
      expect(summary(report.remaining)).toEqual([1, 3, 5].map((n) => `missing-data failed/o_population1_00${n}.tif`));
      const [run] = await v1.listRuns('failed');
      expect(run).toMatchObject({ status: 'unknown', recordedBy: 'bioimageit-v1', jobs: [], runner: '' });
      // The v1 keys are as v1 wrote them; the record sits under the key v1 ignores.
      const doc = await readJson(path.join(fixture.experiment, 'failed', 'run.md.json'));
      expect(doc['process']).toEqual({ name: 'biitfail_v1.0.0', url: '/home/user/bioimageit/tools/biitfail/biitfail.xml' });
      expect(doc['bioimageit_ts']).toMatchObject({ status: 'unknown', recordedBy: 'bioimageit-v1' });
      await v1.close();
    } finally {
      await fixture.cleanup();
    }
  });

  it('finds an index snapshot whose query columns disagree with the item files, and rebuilds it', async () => {
    // Over 1,000 records: the writer snapshots the index (referenced sources that do not exist: cheap).
    const many: NewRawItem[] = Array.from({ length: 1100 }, (_, i) => ({
      sourcePath: path.join(workspace, 'nowhere', `f${i}.tif`),
      name: `img_${String(i).padStart(5, '0')}.tif`,
      mode: 'reference',
      format: 'imagetiff',
      size: 10,
      sha256: 'a'.repeat(64),
      metadata: {},
      tags: { Population: 'many' },
      author: 'tester',
      date: '2024-05-06',
    }));
    await store.addRawItems(many);
    await store.close();
    const file = path.join(exp, '.bioimageit', 'index.snapshot');
    const snapshot = decodeSnapshot(await readFile(file));
    if (snapshot === undefined) throw new Error('no snapshot');
    const forged = snapshot.datasets.map(({ key, head, sig, columns }) => ({
      key,
      head,
      ...(sig !== undefined && { sig }),
      count: columns.count,
      row: (i: number) => (columns.url(i) === 'img_00000.md.json' ? { ...columns.row(i), tags: { Population: 'forged' } } : columns.row(i)),
    }));
    await writeFile(file, encodeSnapshot(snapshot.log, forged));
    store = await backend.openExperiment(exp);
    expect((await store.selectItems('data', parseQuery('Population=forged'))).total).toBe(1);
    const drift = (await store.check()).problems.filter((p) => p.kind === 'index-drift');
    expect(drift).toEqual([
      {
        kind: 'index-drift',
        file: 'data/img_00000.md.json',
        dataset: 'data',
        message: 'the index snapshot holds other values of this item than its file: queries match stale values',
        repairable: true,
      },
    ]);
    const repaired = await store.check({ repair: true });
    expect(repaired.remaining.filter((p) => p.kind === 'index-drift')).toEqual([]);
    expect((await store.selectItems('data', parseQuery('Population=forged'))).total).toBe(0);
    store = await reopen();
    expect((await store.selectItems('data', parseQuery('Population=forged'))).total).toBe(0);
    expect((await store.check()).problems.filter((p) => p.kind === 'index-drift')).toEqual([]);
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DataItem, ProcessedOrigin } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { json, keyOrder, keyPaths } from './test-support/json-shape.js';
import { runRecord, stagedOutput } from './test-support/processed-outputs.js';
import { copyV1Fixture } from './test-support/v1-fixture.js';

const byName = (items: readonly DataItem[], name: string): DataItem => items.find((i) => i.name === name) as DataItem;

describe('local-fs processed data in the v1 layout', () => {
  let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;
  let exp: string;
  const backend = new LocalFsStorageBackend({ fsync: false });

  beforeEach(async () => {
    fixture = await copyV1Fixture();
    exp = fixture.experiment;
  });
  afterEach(() => fixture.cleanup());

  it("writes datasets, runs and outputs with the JSON structure of v1's threshold/ files", async () => {
    const store = await backend.openExperiment(exp);
    const input = byName(await store.items(), 'population1_003.tif');
    const dataset = await store.ensureProcessedDataset('mine');
    await store.ensureProcessedDataset('mine');
    await store.saveRun(runRecord('mine', 'run-a'));
    const output = await stagedOutput(store, 'o_population1_003.tif', 'run-a', [input.id]);
    const [item] = (await store.commitProcessedItems('mine', [output])) as DataItem[];
    expect(item?.name).toBe('o_population1_003');
    const files = ['processed_dataset.md.json', 'run.md.json', 'o_population1_003.md.json'];
    for (const file of files) {
      const written = await json(path.join(exp, 'mine', file));
      const v1 = await json(path.join(exp, 'threshold', file));
      const { bioimageit_ts: extras, ...comparable } = written.value;
      expect(keyOrder(comparable), file).toEqual(keyOrder(v1.value));
      expect(keyPaths(comparable), file).toEqual(keyPaths(v1.value));
      expect(written.text, file).toBe(JSON.stringify(written.value, null, 4));
      expect(written.text.endsWith('}'), file).toBe(true);
      expect(extras === undefined, file).toBe(file === 'processed_dataset.md.json');
    }
    const datasetDoc = (await json(path.join(exp, 'mine/processed_dataset.md.json'))).value;
    expect(datasetDoc).toEqual({ uuid: dataset.id, name: 'mine', urls: [{ uuid: item?.id, url: 'o_population1_003.md.json' }] });
    const runDoc = (await json(path.join(exp, 'mine/run.md.json'))).value;
    expect(runDoc).toMatchObject({
      uuid: 'run-a',
      process: { name: 'biitthreshold_v1.0.0', url: '/tools/biitthreshold/biitthreshold.xml' },
      processed_dataset: { uuid: dataset.id, url: 'processed_dataset.md.json' },
      inputs: [{ name: 'i', dataset: 'data', query: 'Population=population1', origin_output_name: '' }],
      parameters: [{ name: 'threshold', value: '128' }],
      bioimageit_ts: runRecord('mine', 'run-a'),
    });
    const itemDoc = (await json(path.join(exp, 'mine/o_population1_003.md.json'))).value;
    expect(itemDoc).toEqual({
      uuid: item?.id,
      common: { name: 'o_population1_003', author: 'tester', date: '2024-05-06', format: 'imagetiff', url: 'o_population1_003.tif' },
      origin: {
        type: 'processed',
        run: { url: 'run.md.json', uuid: 'run-a' },
        inputs: [{ name: 'i', url: '../data/population1_003.md.json', uuid: input.id, type: 'raw' }],
        output: { name: 'o', label: 'Binary image' },
      },
      bioimageit_ts: { size: output.size, sha256: output.sha256, job: output.origin.job, metadata: output.metadata },
    });
    const experiment = await json(path.join(exp, 'experiment.md.json'));
    expect(experiment.value['processed_datasets']).toEqual([
      { name: 'copied', url: 'copied/processed_dataset.md.json', uuid: '7faba2f7-f2ed-417d-9789-cd9a8b47286f' },
      { name: 'threshold', url: 'threshold/processed_dataset.md.json', uuid: '6e0ba5fd-761b-471a-98be-0ca3fc770abb' },
      { name: 'mine', url: 'mine/processed_dataset.md.json', uuid: dataset.id },
    ]);
    expect(experiment.text).toBe(JSON.stringify(experiment.value, null, 4));
    await store.close();
  });

  it('reads the runs v1 wrote as run records', async () => {
    const store = await backend.openExperiment(exp);
    const v1Run = { matchBy: 'position', runner: '', host: '', user: '', start: '', status: 'unknown', recordedBy: 'bioimageit-v1', jobs: [] };
    const copied = {
      ...v1Run,
      id: '6a6b1be8-8f23-4b9e-a63b-5513be83a178',
      dataset: 'copied',
      tool: { id: 'biitcopy', name: 'biitcopy_v1.0.0', version: '1.0.0', digest: '', source: '/home/user/bioimageit/tools/biitcopy/biitcopy.xml' },
      parameters: [],
      inputs: [{ name: 'i', dataset: 'data', query: '' }],
    };
    expect(await store.listRuns('copied')).toEqual([copied]);
    const [threshold] = await store.listRuns('threshold');
    expect(threshold).toMatchObject({ ...v1Run, id: '62be6ed4-0ecc-49b4-a893-18f03402b94f', parameters: [{ name: 'threshold', value: '128' }] });
    expect(threshold?.inputs).toEqual([{ name: 'i', dataset: 'data', query: 'Population=population1 AND number>2' }]);
    expect((await store.listRuns()).map((r) => r.dataset)).toEqual(['copied', 'threshold']);
    expect(await store.listRuns('data')).toEqual([]);
    await store.close();
  });

  it('adds a run and outputs to a dataset v1 wrote, as run_1.md.json and unique names', async () => {
    const store = await backend.openExperiment(exp);
    const raw = await store.items();
    await store.saveRun(runRecord('threshold', 'run-b'));
    const outputs = [
      await stagedOutput(store, 'o_population1_001.tif', 'run-b', [byName(raw, 'population1_001.tif').id]),
      await stagedOutput(store, 'o_population1_003.tif', 'run-b', [byName(raw, 'population1_003.tif').id]),
    ];
    const committed = await store.commitProcessedItems('threshold', outputs);
    expect(committed.map((i) => i.name)).toEqual(['o_population1_001', 'o_population1_003_1']);
    expect(committed.map((i) => fileURLToPath((i.origin as ProcessedOrigin).run.uri))).toEqual([
      path.join(exp, 'threshold/run_1.md.json'),
      path.join(exp, 'threshold/run_1.md.json'),
    ]);
    expect((await json(path.join(exp, 'threshold/run_1.md.json'))).value['uuid']).toBe('run-b');
    const reopened = await new LocalFsStorageBackend().openExperiment(exp);
    const items = await reopened.items('threshold');
    expect(items).toHaveLength(51);
    expect(byName(items, 'o_population1_003').tags).toEqual({ Population: 'population1', number: '003' });
    expect(byName(items, 'o_population1_003_1').tags).toEqual({ Population: 'population1', number: '003' });
    expect((await reopened.listRuns('threshold')).map((r) => r.id)).toEqual(['62be6ed4-0ecc-49b4-a893-18f03402b94f', 'run-b']);
    await reopened.close();
    await store.close();
  });

  it('counts a dataset v1 listed twice once, and does not list it again', async () => {
    const experimentFile = path.join(exp, 'experiment.md.json');
    const doc = JSON.parse(await readFile(experimentFile, 'utf8')) as { processed_datasets: unknown[] };
    doc.processed_datasets.push({ ...(doc.processed_datasets[0] as object), uuid: 'v1-recreated' });
    await writeFile(experimentFile, JSON.stringify(doc, null, 4));
    const store = await backend.openExperiment(exp);
    expect((await store.listDatasets()).map((d) => d.name)).toEqual(['data', 'copied', 'threshold']);
    expect((await store.ensureProcessedDataset('copied')).itemCount).toBe(100);
    expect(JSON.parse(await readFile(experimentFile, 'utf8'))).toEqual(doc);
    await store.close();
  });
});

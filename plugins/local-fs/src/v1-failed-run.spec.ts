import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runItems } from '@bioimageit/core';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { copyV1Fixture, V1_FIXTURE } from './test-support/v1-fixture.js';

/** The dataset v1 leaves when a tool fails yet its outputs are registered (tests/fixtures/v1/README.md). */
const FAILED_RUN = path.join(path.dirname(V1_FIXTURE), 'failed-run', 'failed');

describe('a v1 experiment whose tool failed yet registered outputs', () => {
  let fixture: Awaited<ReturnType<typeof copyV1Fixture>>;
  const backend = new LocalFsStorageBackend();

  beforeEach(async () => {
    fixture = await copyV1Fixture();
    await addV1ProcessedDataset(fixture.experiment, FAILED_RUN);
  });
  afterEach(() => fixture.cleanup());

  it('opens, with the run read as v1 recorded it: status unknown, no jobs, nothing v1 never wrote', async () => {
    const store = await backend.openExperiment(fixture.experiment);
    expect((await store.info()).datasets.map((d) => [d.name, d.itemCount])).toEqual([
      ['data', 100],
      ['copied', 100],
      ['threshold', 49],
      ['failed', 3],
    ]);
    const [run] = await store.listRuns('failed');
    expect(run).toEqual({
      id: '119ae063-d920-45c1-9aab-ded5748da3b2',
      dataset: 'failed',
      tool: { id: 'biitfail', name: 'biitfail_v1.0.0', version: '1.0.0', digest: '', source: '/home/user/bioimageit/tools/biitfail/biitfail.xml' },
      parameters: [],
      inputs: [{ name: 'i', dataset: 'data', query: 'Population=population1 AND number<6' }],
      matchBy: 'position',
      runner: '',
      host: '',
      user: '',
      start: '',
      status: 'unknown',
      recordedBy: 'bioimageit-v1',
      jobs: [],
    });
    await store.close();
  });

  it('lists its outputs in input order, those whose data file was never written flagged missing', async () => {
    const store = await backend.openExperiment(fixture.experiment);
    const [failed] = await store.listRuns('failed');
    const { outputs } = await runItems(store, failed!);
    const rawNames = (await store.items()).map((i) => i.name);
    const inInputOrder = ['population1_001.tif', 'population1_003.tif', 'population1_005.tif'].sort((a, b) => rawNames.indexOf(a) - rawNames.indexOf(b));
    expect(inInputOrder).not.toEqual(['population1_005.tif', 'population1_001.tif', 'population1_003.tif']);
    expect(outputs.map((o) => [o.item.name, o.inputs.map((i) => i.item?.name), o.missing])).toEqual(
      inInputOrder.map((input) => [`o_${input.replace('.tif', '')}`, [input], true]),
    );
    const [threshold] = await store.listRuns('threshold');
    const written = await runItems(store, threshold!);
    expect(written.outputs).toHaveLength(49);
    expect(written.outputs.filter((o) => o.missing)).toEqual([]);
    const rawOrder = (await store.items()).map((i) => i.id);
    const used = written.outputs.map((o) => o.inputs[0]?.id ?? '');
    expect(used).toEqual(rawOrder.filter((id) => used.includes(id)));
    await store.close();
  });
});

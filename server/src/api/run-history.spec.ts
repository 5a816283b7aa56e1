import { join } from 'node:path';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { REPO, serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

/** The run v1 left in `failed/`: biitfail failed on every input, yet v1 registered its three outputs. */
const FAILED_RUN = '119ae063-d920-45c1-9aab-ded5748da3b2';

describe('REST API on the run history', () => {
  let fx: ServedFixture;
  let api: ContractClient;
  let exp: string;

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-run-history-');
    await addV1ProcessedDataset(join(fx.dir, 'exp100'), join(REPO, 'tests/fixtures/v1/failed-run/failed'));
    api = new ContractClient(fx.base, fx.server.document);
    exp = fx.experimentId;
  });
  afterAll(async () => fx?.cleanup());

  it('shows v1 runs with status unknown, recorded by BioImageIT v1, without the fields v1 never wrote', async () => {
    const list = await api.call('GET', `/api/experiments/${exp}/runs`);
    const summary = list.json.find((r: { id: string }) => r.id === FAILED_RUN);
    expect(summary).toEqual({
      id: FAILED_RUN,
      dataset: 'failed',
      tool: { id: 'biitfail', name: 'biitfail_v1.0.0', version: '1.0.0' },
      status: 'unknown',
      recordedBy: 'bioimageit-v1',
      jobs: { total: 0, succeeded: 0, failed: 0, cached: 0, cancelled: 0 },
    });
    const run = await api.call('GET', `/api/experiments/${exp}/runs/${FAILED_RUN}`);
    expect(run.json.record).toEqual({
      id: FAILED_RUN,
      dataset: 'failed',
      tool: { id: 'biitfail', name: 'biitfail_v1.0.0', version: '1.0.0', source: '/home/user/bioimageit/tools/biitfail/biitfail.xml' },
      parameters: [],
      inputs: [{ name: 'i', dataset: 'data', query: 'Population=population1 AND number<6' }],
      matchBy: 'position',
      status: 'unknown',
      recordedBy: 'bioimageit-v1',
      jobs: [],
    });
  });

  it("flags a failed v1 run's registered outputs whose data files were never written, in input order", async () => {
    const run = await api.call('GET', `/api/experiments/${exp}/runs/${FAILED_RUN}`);
    const raw = (await api.call('GET', `/api/experiments/${exp}/items?limit=200`)).json.items.map((i: { name: string }) => i.name) as string[];
    const inputs = ['population1_001.tif', 'population1_003.tif', 'population1_005.tif'].sort((a, b) => raw.indexOf(a) - raw.indexOf(b));
    expect(
      run.json.outputs.map((o: { name: string; missing?: boolean; inputs: { id: string }[] }) => [
        o.name,
        run.json.itemNames[o.inputs[0]?.id ?? ''],
        o.missing,
      ]),
    ).toEqual(inputs.map((input) => [`o_${input.replace('.tif', '')}`, input, true]));
  });

  it('lists the outputs of a run in the order of its inputs, with the items each job used', async () => {
    const started = await api.call('POST', `/api/experiments/${exp}/runs`, {
      tool: 'bioimageit.threshold',
      inputs: [{ name: 'image', query: 'Population=population2 AND number<=10' }],
      outputDataset: 'ordered',
      jobs: 3,
    });
    expect(started.status).toBe(202);
    await fx.server.context.runs.settled(started.json.runId);
    const run = await api.call('GET', `/api/experiments/${exp}/runs/${started.json.runId}`);
    const jobs = [...run.json.record.jobs].sort((a: { index: number }, b: { index: number }) => a.index - b.index) as {
      id: string;
      inputs: Record<string, string[]>;
      outputs: string[];
    }[];
    expect(run.json.outputs.map((o: { id: string; job: string }) => [o.job, o.id])).toEqual(jobs.map((j) => [j.id, j.outputs[0]]));
    const names = jobs.map((j) => run.json.itemNames[j.inputs['image']?.[0] ?? '']);
    expect(names).toHaveLength(5);
    expect(names.every((n) => /^population2_0(0[2468]|10)\.tif$/.test(n))).toBe(true);
    expect(run.json.outputs.every((o: { missing?: boolean }) => o.missing === undefined)).toBe(true);
  });
});

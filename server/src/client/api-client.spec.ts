import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTiff } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/generate-api-types.js';
import { BUNDLED_TOOLS } from '../test-support/fixture-workspace.js';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';
import { ApiRequestError, BioImageItClient, type Experiment, type RunRecord } from './index.js';

/** Compile-time checks (never called): the types refuse what the API refuses. */
export function typeChecks(api: BioImageItClient): void {
  // @ts-expect-error a run needs its body
  void api.call('startRun', { params: { experiment: 'x' } });
  // @ts-expect-error no such operation
  void api.call('launchRockets');
  // @ts-expect-error the runner is a string
  void api.call('startRun', { params: { experiment: 'x' }, body: { tool: 't', inputs: [{ name: 'i' }], outputDataset: 'o', runner: 3 } });
  // @ts-expect-error deleting asks for the name as confirmation
  void api.call('deleteExperiment', { params: { experiment: 'x' } });
  const listed: Promise<{ id: string; name: string }[]> = api.call('listExperiments');
  void listed;
}

/** The typed client against a started server, and the generated types kept in step with the document. */
describe('typed client (@bioimageit/server/client)', () => {
  let ws: ScratchWorkspace;
  let api: BioImageItClient;

  beforeAll(async () => {
    ws = await serveScratchWorkspace('bioimageit-client-', {
      toolDirs: [BUNDLED_TOOLS],
      prepare: async ({ dir, kernel, store }) => {
        const file = join(dir, 'cells.tif');
        await writeTiff(file, { data: new Uint8Array(16 * 16).fill(7), shape: [16, 16], dtype: 'uint8', axes: 'YX' });
        await kernel.importData(store, file);
      },
    });
    api = new BioImageItClient({ baseUrl: ws.server.url });
  }, 60_000);
  afterAll(async () => ws?.cleanup());

  it('has generated types that match the OpenAPI document the server serves', async () => {
    expect(await readFile(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource());
  });

  it('lists, creates and reads experiments, runs a tool and reads its typed record', async () => {
    const info = await api.call('getServerInfo');
    expect(info.name).toBe('bioimageit');
    const created: Experiment = await api.call('createExperiment', { body: { name: 'from client', keys: ['Well'] } });
    expect(created.keys).toEqual(['Well']);
    const list = await api.call('listExperiments');
    expect(list.map((e) => e.name).sort()).toEqual(['exp', 'from client']);
    const started = await api.call('startRun', {
      params: { experiment: ws.experimentId },
      body: { tool: 'bioimageit.gaussian-blur', params: { sigma: 1 }, inputs: [{ name: 'image' }], outputDataset: 'blurred', runner: 'local' },
    });
    expect(started.status).toBe('running');
    await ws.server.context.runs.settled(started.runId);
    const run = await api.call('getRun', { params: { experiment: ws.experimentId, run: started.runId } });
    const record: RunRecord = run.record;
    expect([record.runner, record.status, record.jobs.length]).toEqual(['local', 'succeeded', 1]);
    const log = await api.call('getJobLog', {
      params: { experiment: ws.experimentId, run: started.runId, job: record.jobs[0]?.id ?? '' },
      query: { stream: 'stdout' },
    });
    expect(typeof log).toBe('string');
    const items = await api.call('listItems', { params: { experiment: ws.experimentId }, query: { dataset: 'blurred' } });
    expect(items.total).toBe(1);
    expect(api.url('getExperiment', { params: { experiment: 'a b/c' } })).toBe(`${ws.base}/api/experiments/a%20b%2Fc`);
  });

  it('rejects with the API error (status, code, message) for an answer that is not a success', async () => {
    const refused = await api
      .call('deleteExperiment', { params: { experiment: ws.experimentId }, query: { confirm: 'not its name' } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiRequestError);
    expect(refused).toMatchObject({ status: 400, code: 'BAD_REQUEST', operation: 'deleteExperiment' });
    expect((refused as Error).message).toContain("to delete experiment 'exp'");
    const unknown = await api.call('getExperiment', { params: { experiment: 'nope' } }).catch((error: unknown) => error);
    expect(unknown).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const noRunner = await api
      .call('startRun', {
        params: { experiment: ws.experimentId },
        body: { tool: 'bioimageit.gaussian-blur', inputs: [{ name: 'image' }], outputDataset: 'x', runner: 'nope' },
      })
      .catch((error: unknown) => error);
    expect(noRunner).toMatchObject({ status: 400, code: 'NO_RUNNER' });
  });
});

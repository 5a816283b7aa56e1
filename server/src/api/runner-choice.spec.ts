import type { Runner } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { servePipelineWorkspace } from '../test-support/pipeline-workspace.js';
import type { ScratchWorkspace } from '../test-support/scratch-workspace.js';

const BLUR = { tool: 'bioimageit.gaussian-blur', params: { sigma: 1 }, inputs: [{ name: 'image' }] };

/**
 * The runner a client names for a run or a pipeline: honoured (a spy runner registered in the
 * kernel, which hands jobs on to `local`, runs every job and shows in the record), an unknown one
 * refused before anything runs, naming it and the runners there are.
 */
describe('REST API: choosing the runner of a run or pipeline', () => {
  let ws: ScratchWorkspace;
  let api: ContractClient;
  const jobsOnSpy: string[] = [];
  const exp = () => `/api/experiments/${ws.experimentId}`;

  beforeAll(async () => {
    ws = await servePipelineWorkspace('bioimageit-runner-choice-');
    const local = await ws.kernel.runners.get('local');
    const spy: Runner = {
      id: 'spy',
      async run(job, signal) {
        jobsOnSpy.push(job.id);
        const result = await local.run(job, signal);
        return { ...result, environment: { ...result.environment, runner: 'spy' } };
      },
    };
    ws.kernel.runners.register(spy, 'test');
    api = new ContractClient(ws.base, ws.server.document);
  }, 120_000);
  afterAll(async () => ws?.cleanup());

  it('runs every job of a run on the runner it names, as its record shows', async () => {
    const started = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'on-spy', runner: 'spy' });
    expect(started.status).toBe(202);
    await ws.server.context.runs.settled(started.json.runId);
    const run = await api.call('GET', `${exp()}/runs/${started.json.runId}`);
    expect(run.json.record.runner).toBe('spy');
    expect(run.json.record.status).toBe('succeeded');
    expect(run.json.record.jobs.map((j: { environment: { runner: string } }) => j.environment.runner)).toEqual(['spy', 'spy', 'spy']);
    expect(jobsOnSpy).toHaveLength(3);
  });

  it('refuses an unknown runner with 400 naming it and the runners there are, before anything runs', async () => {
    const before = (await api.call('GET', `${exp()}/runs`)).json.length;
    const refused = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: 'hpc-cluster' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/no runner 'hpc-cluster'.*available: .*local/);
    expect(refused.json.error.message).toContain('spy');
    expect((await api.call('GET', `${exp()}/runs`)).json.length).toBe(before);
    const malformed = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: '../bin/sh' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('body.runner');
  });

  it('runs every step of a pipeline on the runner it names, lists the pipeline runs, and refuses an unknown runner', async () => {
    const refused = await api.call('POST', `${exp()}/pipelines/runs`, { pipeline: 'blur-threshold', runner: 'hpc-cluster' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/no runner 'hpc-cluster'.*available: .*local/);
    expect((await api.call('GET', `${exp()}/pipelines/runs`)).json).toEqual([]);
    const before = jobsOnSpy.length;
    const started = await api.call('POST', `${exp()}/pipelines/runs`, { pipeline: 'blur-threshold', runner: 'spy', jobs: 2, cache: false });
    expect(started.status).toBe(202);
    expect(started.json.runner).toBe('spy');
    await ws.server.context.pipelines.settled(started.json.id);
    const list = await api.call('GET', `${exp()}/pipelines/runs`);
    expect(list.json.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([[started.json.id, 'succeeded']]);
    for (const step of list.json[0].steps) {
      const run = await api.call('GET', `${exp()}/runs/${step.runId}`);
      expect(run.json.record.runner, step.name).toBe('spy');
    }
    // cache off: the blur step runs again although the first test ran the same jobs
    expect(jobsOnSpy.length - before).toBe(6);
    const cancel = await api.call('POST', `${exp()}/pipelines/runs/${started.json.id}/cancel`);
    expect(cancel.status).toBe(409);
  });
});

import type { Runner, RunnerOptionValue } from '@bioimageit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { servePipelineWorkspace } from '../test-support/pipeline-workspace.js';
import type { ScratchWorkspace } from '../test-support/scratch-workspace.js';

const BLUR = { tool: 'bioimageit.gaussian-blur', params: { sigma: 1 }, inputs: [{ name: 'image' }] };

/**
 * Per-run runner options over REST: listed by GET /api/runners, handed to the runner with every
 * job of a run or pipeline and kept in the run record; an option the runner does not take, or a
 * value of the wrong type, is a 400 naming it before anything runs.
 */
describe('REST API: runner options of a run or pipeline', () => {
  let ws: ScratchWorkspace;
  let api: ContractClient;
  const seen: (Readonly<Record<string, RunnerOptionValue>> | undefined)[] = [];
  const exp = () => `/api/experiments/${ws.experimentId}`;

  beforeAll(async () => {
    ws = await servePipelineWorkspace('bioimageit-runner-options-');
    const local = await ws.kernel.runners.get('local');
    const queue: Runner = {
      id: 'queue',
      runOptions: {
        partition: { type: 'string', description: 'where the jobs go', default: 'batch', pattern: '[a-z]+' },
        cpus: { type: 'integer', description: 'cores per job', minimum: 1 },
      },
      async run(job, signal) {
        seen.push(job.runnerOptions);
        const result = await local.run(job, signal);
        return { ...result, environment: { ...result.environment, runner: 'queue' } };
      },
    };
    ws.kernel.runners.register(queue, 'test');
    api = new ContractClient(ws.base, ws.server.document);
  }, 120_000);
  afterAll(async () => ws?.cleanup());

  it('lists the runners with the options each takes', async () => {
    const runners = await api.call('GET', '/api/runners');
    expect(runners.status).toBe(200);
    const byId = Object.fromEntries(runners.json.map((r: { id: string }) => [r.id, r]));
    expect(byId['local']).toEqual({ id: 'local', plugin: 'core', available: true, options: {} });
    expect(byId['queue']).toEqual({
      id: 'queue',
      plugin: 'test',
      available: true,
      options: {
        partition: { type: 'string', description: 'where the jobs go', default: 'batch', pattern: '[a-z]+' },
        cpus: { type: 'integer', description: 'cores per job', minimum: 1 },
      },
    });
  });

  it('hands the options of a run to the runner with every job and records them', async () => {
    const started = await api.call('POST', `${exp()}/runs`, {
      ...BLUR,
      outputDataset: 'queued',
      runner: 'queue',
      runnerOptions: { partition: 'gpu', cpus: 4 },
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    await ws.server.context.runs.settled(started.json.runId);
    const run = await api.call('GET', `${exp()}/runs/${started.json.runId}`);
    expect(run.json.record.status).toBe('succeeded');
    expect(run.json.record.runnerOptions).toEqual({ partition: 'gpu', cpus: 4 });
    expect(seen).toEqual([
      { partition: 'gpu', cpus: 4 },
      { partition: 'gpu', cpus: 4 },
      { partition: 'gpu', cpus: 4 },
    ]);
  });

  it('answers 400 naming an unknown option or a value of the wrong type, before anything runs', async () => {
    const before = (await api.call('GET', `${exp()}/runs`)).json.length;
    const unknown = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: 'queue', runnerOptions: { qos: 'high' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe("runner 'queue' has no option 'qos' (it accepts: partition, cpus)");
    expect(unknown.json.error.details).toMatchObject({ runner: 'queue', option: 'qos' });
    const wrongType = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: 'queue', runnerOptions: { cpus: 'many' } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error.message).toContain("option 'cpus' must be an integer");
    const hostile = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: 'queue', runnerOptions: { partition: 'gpu\n$(id)' } });
    expect(hostile.status).toBe(400);
    expect(hostile.json.error.message).toContain("option 'partition' must be one line");
    const malformed = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runner: 'queue', runnerOptions: { cpus: [4] } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('body.runnerOptions');
    const onLocal = await api.call('POST', `${exp()}/runs`, { ...BLUR, outputDataset: 'nowhere', runnerOptions: { partition: 'gpu' } });
    expect(onLocal.status).toBe(400);
    expect(onLocal.json.error.message).toBe("runner 'local' has no option 'partition' (it accepts none)");
    expect((await api.call('GET', `${exp()}/runs`)).json.length).toBe(before);
  });

  it('runs every step of a pipeline with the options, and refuses bad ones (or options without a runner) before any step', async () => {
    const bad = await api.call('POST', `${exp()}/pipelines/runs`, { pipeline: 'blur-threshold', runner: 'queue', runnerOptions: { nodes: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("runner 'queue' has no option 'nodes' (it accepts: partition, cpus)");
    const unnamed = await api.call('POST', `${exp()}/pipelines/runs`, { pipeline: 'blur-threshold', runnerOptions: { cpus: 2 } });
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.error.message).toContain('runnerOptions need a runner');
    expect((await api.call('GET', `${exp()}/pipelines/runs`)).json).toEqual([]);
    const started = await api.call('POST', `${exp()}/pipelines/runs`, {
      pipeline: 'blur-threshold',
      runner: 'queue',
      runnerOptions: { cpus: '2' },
      cache: false,
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    expect(started.json.runnerOptions).toEqual({ cpus: 2 });
    const done = await ws.server.context.pipelines.settled(started.json.id);
    expect(done?.status).toBe('succeeded');
    for (const step of done?.steps ?? []) {
      const run = await api.call('GET', `${exp()}/runs/${step.runId}`);
      expect(run.json.record.runnerOptions, step.name).toEqual({ cpus: 2 });
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import type { LivePipelineRun } from '../runs/pipeline-tracker.js';
import type { PipelineEntry } from '../runs/pipeline-catalog.js';
import { servePipelineWorkspace } from '../test-support/pipeline-workspace.js';
import type { ScratchWorkspace } from '../test-support/scratch-workspace.js';

/**
 * Pipelines over REST: the list (workspace pipelines/ and the bundled tools' pipeline files), a
 * run by name only, its state per step, and a failing step whose followers are skipped.
 */
describe('REST API: pipelines', () => {
  let ws: ScratchWorkspace;
  let contract: ContractClient;
  const api = (path: string, init?: RequestInit) => fetch(`${ws.base}${path}`, init);
  const start = (body: unknown) =>
    api(`/api/experiments/${ws.experimentId}/pipelines/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  /** Starts a pipeline by name and waits for its end; its final state as GET shows it. */
  const runToEnd = async (name: string) => {
    const response = await start({ pipeline: name });
    expect(response.status).toBe(202);
    const started = (await response.json()) as LivePipelineRun;
    expect(started.status).toBe('running');
    await ws.server.context.pipelines.settled(started.id);
    return (await contract.call('GET', `/api/experiments/${ws.experimentId}/pipelines/runs/${started.id}`)).json as LivePipelineRun;
  };

  beforeAll(async () => {
    ws = await servePipelineWorkspace('bioimageit-pipelines-');
    contract = new ContractClient(ws.base, ws.server.document);
  }, 120_000);
  afterAll(async () => {
    await ws?.cleanup();
  });

  it("lists the workspace's pipeline files and the bundled tools' pipeline files, with their steps", async () => {
    const list = (await contract.call('GET', '/api/pipelines')).json as PipelineEntry[];
    // the workspace's files first, then the bundled ones (more may be bundled than the demo)
    expect(list.slice(0, 4).map((p) => [p.name, p.file, p.origin])).toEqual([
      ['blur-threshold', 'blur-threshold.json', 'workspace'],
      ['broken', 'broken.json', 'workspace'],
      ['fails-early', 'fails-early.json', 'workspace'],
      ['count-blobs', 'demo-pipeline.json', 'tools'],
    ]);
    expect(list.slice(3).every((p) => p.origin === 'tools' && /pipeline/.test(p.file))).toBe(true);
    expect(list[0]?.steps).toEqual([
      { name: 'blur', tool: 'bioimageit.gaussian-blur', outputDataset: 'blurred' },
      { name: 'threshold', tool: 'bioimageit.threshold', outputDataset: 'mask' },
    ]);
    expect(list[1]?.error).toBe('broken.json: steps must be a non-empty array');
    expect(list[1]?.steps).toEqual([]);
    expect(list.filter((p) => p.origin === 'workspace' && p.error !== undefined)).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(ws.dir);
  });

  it('takes a pipeline by name only: a path, an unknown name, a broken file or another field answer 400', async () => {
    for (const pipeline of ['../../etc/passwd', '/tmp/x.json', 'pipelines/blur-threshold.json', 'nope']) {
      const response = await start({ pipeline });
      expect(response.status, pipeline).toBe(400);
      const { error } = (await response.json()) as { error: { message: string } };
      // no error body shows an absolute path whole, not even one the client sent
      expect(error.message).toContain(`no pipeline named '${pipeline === '/tmp/x.json' ? '<server path>/x.json' : pipeline}'`);
      expect(error.message).toContain('blur-threshold');
    }
    const broken = await start({ pipeline: 'broken' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { message: string } }).error.message).toContain('cannot run');
    expect((await start({ pipeline: 'blur-threshold', path: '/etc' })).status).toBe(400);
    expect((await start({})).status).toBe(400);
    expect(
      (await api('/api/experiments/nope/pipelines/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"pipeline":"x"}' })).status,
    ).toBe(404);
    expect((await api(`/api/experiments/${ws.experimentId}/pipelines/runs/unknown`)).status).toBe(404);
  });

  it('runs a pipeline in the background and reports each step with its run', async () => {
    const done = await runToEnd('blur-threshold');
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => [s.name, s.status, s.jobCount])).toEqual([
      ['blur', 'succeeded', 3],
      ['threshold', 'succeeded', 3],
    ]);
    expect(done.end).toBeDefined();
    for (const step of done.steps) {
      const run = (await (await api(`/api/experiments/${ws.experimentId}/runs/${step.runId}`)).json()) as {
        record: { dataset: string };
        live: { status: string };
      };
      expect(run.record.dataset).toBe(step.outputDataset);
      expect(run.live.status).toBe('succeeded');
    }
    const masks = (await (await api(`/api/experiments/${ws.experimentId}/items?dataset=mask`)).json()) as { total: number };
    expect(masks.total).toBe(3);
  });

  it('marks a failing step failed with its error and skips the steps after it', async () => {
    const done = await runToEnd('fails-early');
    expect(done.status).toBe('failed');
    const [failed, after] = done.steps;
    expect(failed?.status).toBe('failed');
    expect(failed?.runId).toBeDefined();
    expect(failed?.error).toContain('cannot read');
    expect(after).toMatchObject({ name: 'after', status: 'skipped', reason: "step 'break' ended failed" });
    expect(after?.runId).toBeUndefined();
    expect(done.error).toMatch(/^step 'break' ended failed/);
  });
});

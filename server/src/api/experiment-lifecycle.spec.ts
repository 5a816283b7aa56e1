import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { EXP100 } from '../test-support/fixture-workspace.js';
import { serveScratchWorkspace, type ScratchWorkspace } from '../test-support/scratch-workspace.js';

/**
 * Creating and deleting experiments over REST: created in the workspace's experiments location only,
 * deleted only with the name repeated as confirmation, never while something works on them, and
 * never when the server was merely given them (-e).
 */
describe('REST API: creating and deleting experiments', () => {
  let ws: ScratchWorkspace;
  let api: ContractClient;
  let outside = '';
  let outsideId = '';

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), 'bioimageit-outside-'));
    await cp(EXP100, join(outside, 'exp100'), { recursive: true });
    ws = await serveScratchWorkspace('bioimageit-lifecycle-', {
      tools: [
        {
          id: 'test.sleep',
          inputs: [{ name: 'i', type: 'data' }],
          outputs: [{ name: 'o', format: 'imagetiff' }],
          command: { argv: ['sh', '-c', 'sleep 30; cp "$1" "$2"', 'sh', '{inputs.i}', '{outputs.o}'] },
        },
      ],
      prepare: async ({ dir, kernel, store }) => {
        await mkdir(join(dir, 'pipelines'));
        const slow = { name: 'slow', steps: [{ name: 'nap', tool: 'test.sleep', inputs: [{ name: 'i', dataset: 'data' }], outputDataset: 'napped' }] };
        await writeFile(join(dir, 'pipelines', 'slow.json'), JSON.stringify(slow));
        await kernel.importData(store, join(EXP100, 'data', 'population1_003.tif'));
      },
      serve: () => ({ experiments: [join(outside, 'exp100')] }),
    });
    api = new ContractClient(ws.base, ws.server.document);
    const list = (await api.call('GET', '/api/experiments')).json as { id: string; name: string }[];
    outsideId = list.find((e) => e.name === 'exp100')?.id ?? '';
  }, 60_000);
  afterAll(async () => {
    await ws?.cleanup();
    await rm(outside, { recursive: true, force: true });
  });

  it('creates an experiment in the workspace, lists it, and refuses a taken or a path-like name', async () => {
    const created = await api.call('POST', '/api/experiments', { name: 'Plate 7', author: 'facility', keys: ['Well', 'Site'] });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'Plate 7',
      author: 'facility',
      keys: ['Well', 'Site'],
      datasets: [{ name: 'data', kind: 'raw', itemCount: 0 }],
    });
    expect(existsSync(join(ws.dir, 'Plate7', 'experiment.md.json'))).toBe(true);
    const list = (await api.call('GET', '/api/experiments')).json as { id: string }[];
    expect(list.map((e) => e.id)).toContain(created.json.id);
    expect((await api.call('GET', `/api/experiments/${created.json.id}`)).json.name).toBe('Plate 7');
    const withDefault = await api.call('POST', '/api/experiments', { name: 'plain' });
    expect(withDefault.json.author).toBe('tester');

    const taken = await api.call('POST', '/api/experiments', { name: 'Plate 7' });
    expect(taken.status).toBe(409);
    for (const name of ['../escape', 'a/b', '/tmp/x', '.hidden', '']) {
      const refused = await api.call('POST', '/api/experiments', { name });
      expect(refused.status, name).toBe(400);
      expect(refused.json.error.message).toContain('body.name');
    }
    expect(existsSync(join(ws.dir, '..', 'escape'))).toBe(false);
    expect((await api.call('POST', '/api/experiments', { name: 'x', location: '/tmp' })).status).toBe(400);
  });

  it('deletes an experiment only when its name is given as confirmation', async () => {
    const created = (await api.call('POST', '/api/experiments', { name: 'doomed' })).json as { id: string };
    const path = `/api/experiments/${created.id}`;
    const missing = await api.call('DELETE', path);
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain('query.confirm');
    const wrong = await api.call('DELETE', `${path}?confirm=exp`);
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toContain("to delete experiment 'doomed'");
    expect(existsSync(join(ws.dir, 'doomed'))).toBe(true);

    const deleted = await api.call('DELETE', `${path}?confirm=doomed`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ id: created.id, name: 'doomed', deleted: true });
    expect(existsSync(join(ws.dir, 'doomed'))).toBe(false);
    expect((await api.call('GET', path)).status).toBe(404);
    expect((await api.call('DELETE', `${path}?confirm=doomed`)).status).toBe(404);
    expect(((await api.call('GET', '/api/experiments')).json as { id: string }[]).map((e) => e.id)).not.toContain(created.id);
  });

  it('refuses to delete an experiment the server was only given (-e), or one a run works on', async () => {
    const given = await api.call('DELETE', `/api/experiments/${outsideId}?confirm=exp100`);
    expect(given.status).toBe(403);
    expect(existsSync(join(outside, 'exp100', 'experiment.md.json'))).toBe(true);

    const busy = (await api.call('POST', '/api/experiments', { name: 'busy' })).json as { id: string };
    const store = await ws.server.context.catalog.open(busy.id);
    await ws.kernel.importData(store, join(EXP100, 'data', 'population1_001.tif'));
    const run = await api.call('POST', `/api/experiments/${busy.id}/runs`, { tool: 'test.sleep', inputs: [{ name: 'i' }], outputDataset: 'slept' });
    expect(run.status).toBe(202);
    const refused = await api.call('DELETE', `/api/experiments/${busy.id}?confirm=busy`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain(`run ${run.json.runId}`);
    expect(existsSync(join(ws.dir, 'busy'))).toBe(true);
    await api.call('POST', `/api/experiments/${busy.id}/runs/${run.json.runId}/cancel`);
    await ws.server.context.runs.settled(run.json.runId);
    expect((await api.call('DELETE', `/api/experiments/${busy.id}?confirm=busy`)).status).toBe(200);
    expect(existsSync(join(ws.dir, 'busy'))).toBe(false);
  });

  it('cancels a running pipeline (its running step included) and refuses to delete its experiment meanwhile', async () => {
    const path = `/api/experiments/${ws.experimentId}/pipelines/runs`;
    const started = await api.call('POST', path, { pipeline: 'slow' });
    expect(started.status).toBe(202);
    let state = started.json;
    for (let i = 0; i < 100 && state.steps[0].runId === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await api.call('GET', `${path}/${started.json.id}`)).json;
    }
    expect(state.steps[0]).toMatchObject({ name: 'nap', status: 'running' });
    const refused = await api.call('DELETE', `/api/experiments/${ws.experimentId}?confirm=exp`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain(`pipeline run ${started.json.id}`);
    const t0 = Date.now();
    expect((await api.call('POST', `${path}/${started.json.id}/cancel`)).status).toBe(202);
    const ended = await ws.server.context.pipelines.settled(started.json.id);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(ended?.status).toBe('cancelled');
    expect(ended?.steps[0]?.status).toBe('cancelled');
    expect(ws.server.context.runs.get(state.steps[0].runId)?.status).toBe('cancelled');
    expect((await api.call('POST', `${path}/${started.json.id}/cancel`)).status).toBe(409);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineage, lineageIds } from './lineage.js';
import type { InMemoryExperimentStore } from './test-support/in-memory-experiment-store.js';
import { provenanceScenario } from './test-support/provenance-scenario.js';

let dir: string;
let store: InMemoryExperimentStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-lineage-'));
  store = await provenanceScenario(join(dir, 'exp'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('lineage', () => {
  it('follows a twice-processed item back to its raw item through jobs and runs', async () => {
    const graph = await lineage(store, 'c1');
    expect(graph.root).toBe('item:c1');
    expect(graph.nodes.map((n) => n.id)).toEqual(['item:c1', 'job:run-b/b1', 'run:run-b', 'item:t1', 'job:run-a/a1', 'run:run-a', 'item:r1']);
    expect(graph.edges).toEqual([
      { from: 'item:c1', to: 'job:run-b/b1', relation: 'wasGeneratedBy', role: 'table' },
      { from: 'job:run-b/b1', to: 'run:run-b', relation: 'partOf' },
      { from: 'job:run-b/b1', to: 'item:t1', relation: 'used', role: 'i' },
      { from: 'item:t1', to: 'job:run-a/a1', relation: 'wasGeneratedBy', role: 'o' },
      { from: 'job:run-a/a1', to: 'run:run-a', relation: 'partOf' },
      { from: 'job:run-a/a1', to: 'item:r1', relation: 'used', role: 'i' },
    ]);
    expect(graph.nodes.find((n) => n.id === 'item:r1')).toMatchObject({ kind: 'item', origin: 'raw', dataset: 'data', name: 'population1_001.tif' });
    expect(graph.nodes.find((n) => n.id === 'job:run-a/a1')).toMatchObject({
      kind: 'job',
      status: 'succeeded',
      exitCode: 0,
      reconstructed: false,
      start: '2025-01-03T10:00:01.000Z',
    });
    expect(graph.nodes.find((n) => n.id === 'run:run-a')).toMatchObject({
      kind: 'run',
      tool: { id: 'threshold', version: '1.0.0' },
      parameters: [{ name: 'threshold', value: '128' }],
      user: 'ada',
    });
  });

  it('reconstructs the job of a v1 item from its origin', async () => {
    const graph = await lineage(store, 'v1');
    expect(graph.nodes.find((n) => n.kind === 'job')).toEqual({
      id: lineageIds.job('run-v1', 'item-v1'),
      kind: 'job',
      runId: 'run-v1',
      jobId: 'item-v1',
      reconstructed: true,
    });
    expect(graph.nodes.find((n) => n.kind === 'run')).toMatchObject({ runId: 'run-v1', tool: { id: 'biitcopy_v1.0.0' } });
    expect(graph.nodes.at(-1)).toMatchObject({ id: 'item:r3', origin: 'raw' });
  });

  it('marks inputs and runs that no longer exist, and a raw item has no history', async () => {
    store.removeItem('r1');
    const graph = await lineage(store, 't1');
    expect(graph.nodes.find((n) => n.id === 'item:r1')).toMatchObject({ kind: 'item', missing: true });
    expect((await lineage(store, 'r2')).nodes).toEqual([expect.objectContaining({ id: 'item:r2', origin: 'raw' })]);
    await store.addProcessed('x1', 'threshold', 'orphan.tif', 'x', { runId: 'gone', inputs: [{ name: 'i', id: 'r2' }] });
    expect((await lineage(store, 'x1')).nodes.find((n) => n.kind === 'run')).toEqual({ id: 'run:gone', kind: 'run', runId: 'gone', missing: true });
  });

  it('rejects an unknown item with NOT_FOUND', async () => {
    await expect(lineage(store, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

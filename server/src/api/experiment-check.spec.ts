import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addV1ProcessedDataset } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractClient } from '../test-support/contract-client.js';
import { REPO, serveFixture, type ServedFixture } from '../test-support/fixture-workspace.js';

interface Problem {
  readonly kind: string;
  readonly file: string;
  readonly repairable: boolean;
}
const summary = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.kind} ${p.file}${p.repairable ? ' (repairable)' : ''}`).sort();

/**
 * `POST /api/experiments/{id}/check` on a copy of exp100 plus v1's failed run (outputs never
 * written), corrupted in several ways; and items whose data file is missing marked `missing` in
 * pages and item views.
 */
describe('REST API: experiment check', () => {
  let fx: ServedFixture;
  let api: ContractClient;
  let exp: string;
  let root: string;

  beforeAll(async () => {
    fx = await serveFixture('bioimageit-api-check-');
    root = join(fx.dir, 'exp100');
    await addV1ProcessedDataset(root, join(REPO, 'tests/fixtures/v1/failed-run/failed'));
    api = new ContractClient(fx.base, fx.server.document);
    exp = fx.experimentId;
  });
  afterAll(async () => fx?.cleanup());

  it('lists every problem, repairs what is safe, says what it did, and a second check agrees', async () => {
    await unlink(join(root, 'data', 'population1_001.tif'));
    await writeFile(join(root, 'copied', 'notes.txt'), 'left here by hand');
    const datasetFile = join(root, 'data', 'raw_dataset.md.json');
    const doc = JSON.parse(await readFile(datasetFile, 'utf8')) as { urls: unknown[] };
    await writeFile(datasetFile, JSON.stringify({ ...doc, urls: [...doc.urls, doc.urls[1]] }, null, 4));

    const found = await api.call('POST', `/api/experiments/${exp}/check`, { deep: true });
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ experiment: exp, healthy: false, deep: true });
    const expected = [
      'missing-data data/population1_001.tif',
      ...[1, 3, 5].map((n) => `missing-data failed/o_population1_00${n}.tif`),
      'orphan-file copied/notes.txt',
      'duplicate-entry data/raw_dataset.md.json (repairable)',
      ...['copied', 'threshold', 'failed'].map((d) => `run-without-status ${d}/run.md.json (repairable)`),
    ].sort();
    expect(summary(found.json.problems)).toEqual(expected);
    expect(JSON.stringify(found.json)).not.toContain(fx.dir);

    const repaired = await api.call('POST', `/api/experiments/${exp}/check`, { repair: true });
    expect(repaired.json.repairs.map((r: { kind: string; file: string }) => `${r.kind} ${r.file}`)).toEqual([
      'duplicate-entry data/raw_dataset.md.json',
      ...['copied', 'threshold', 'failed'].map((d) => `run-without-status ${d}/run.md.json`),
    ]);
    expect(summary(repaired.json.remaining)).toEqual(expected.filter((p) => !p.endsWith('(repairable)')));
    expect(repaired.json.healthy).toBe(false);
    const again = await api.call('POST', `/api/experiments/${exp}/check`, {});
    expect(summary(again.json.problems)).toEqual(expected.filter((p) => !p.endsWith('(repairable)')));
    const runs = await api.call('GET', `/api/experiments/${exp}/runs`);
    expect(runs.json.map((r: { status: string }) => r.status)).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('marks items whose data file is missing in pages and item views, and only those', async () => {
    const where = encodeURIComponent('name in (population1_001.tif, population1_003.tif)');
    const page = await api.call('GET', `/api/experiments/${exp}/items?where=${where}&sort=name`);
    expect(page.json.items.map((i: { name: string; missing?: boolean }) => [i.name, i.missing ?? false])).toEqual([
      ['population1_001.tif', true],
      ['population1_003.tif', false],
    ]);
    const missing = page.json.items[0];
    expect((await api.call('GET', `/api/experiments/${exp}/items/${missing.id}`)).json).toMatchObject({ name: 'population1_001.tif', missing: true });
    const present = await api.call('GET', `/api/experiments/${exp}/items/${page.json.items[1].id}`);
    expect(present.json).not.toHaveProperty('missing');
    const failed = await api.call('GET', `/api/experiments/${exp}/items?dataset=failed`);
    expect(failed.json.items.map((i: { missing?: boolean }) => i.missing)).toEqual([true, true, true]);
  });
});

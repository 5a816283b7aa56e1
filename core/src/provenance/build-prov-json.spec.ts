import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProvJson, writeProvJson } from './build-prov-json.js';
import { checkProvJson } from './check-prov-json.js';
import { provIds, provLocal, type ProvJsonDocument } from './prov-json-types.js';
import type { InMemoryExperimentStore } from './test-support/in-memory-experiment-store.js';
import { dockerRun, provenanceScenario } from './test-support/provenance-scenario.js';

let dir: string;
let store: InMemoryExperimentStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-prov-'));
  store = await provenanceScenario(join(dir, 'exp'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** generated entity → the entities it was derived from, as item ids. */
function derivations(doc: ProvJsonDocument): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of Object.values(doc.wasDerivedFrom)) {
    const key = String(d['prov:generatedEntity']);
    (out[key] ??= []).push(String(d['prov:usedEntity']));
  }
  return out;
}

describe('buildProvJson', () => {
  it('writes entities, activities and agents whose relations all resolve', async () => {
    const doc = await buildProvJson(store);
    expect(checkProvJson(doc)).toEqual([]);
    expect(Object.keys(doc.prefix)).toEqual(['prov', 'xsd', 'bioimageit', 'exp']);
    expect(Object.keys(doc.entity).sort()).toEqual(['c1', 'r1', 'r2', 'r3', 't1', 't2', 'v1'].map(provIds.item).sort());
    expect(Object.keys(doc.activity)).toHaveLength(6);
    expect(doc.entity[provIds.item('r1')]).toMatchObject({
      'prov:label': 'population1_001.tif',
      'bioimageit:format': 'imagetiff',
      'bioimageit:mediaType': 'image/tiff',
      'bioimageit:tag_Population': 'population1',
      'bioimageit:tag_number': '001',
      'bioimageit:size': { $: '7', type: 'xsd:long' },
    });
    expect(doc.entity[provIds.item('r3')]?.['bioimageit:sha256']).toBe(createHash('sha256').update('raw three').digest('hex'));
    expect(doc.agent[provIds.user('ada')]).toEqual({ 'prov:type': 'prov:Person', 'prov:label': 'ada' });
    expect(doc.agent[provIds.tool('sha256:tool-count')]).toMatchObject({
      'prov:type': 'prov:SoftwareAgent',
      'bioimageit:version': '0.2',
      'bioimageit:digest': 'sha256:tool-count',
    });
  });

  it('records times, parameters, status and exit codes on activities', async () => {
    const doc = await buildProvJson(store);
    expect(doc.activity[provIds.job('run-a', 'a1')]).toMatchObject({
      'prov:startTime': '2025-01-03T10:00:01.000Z',
      'prov:endTime': '2025-01-03T10:00:11.000Z',
      'bioimageit:tool': 'threshold',
      'bioimageit:parameter_threshold': '128',
      'bioimageit:exitCode': { $: '0', type: 'xsd:int' },
    });
    expect(doc.activity[provIds.job('run-b', 'b2')]).toMatchObject({
      'bioimageit:status': 'failed',
      'bioimageit:exitCode': { $: '1', type: 'xsd:int' },
      'bioimageit:error': 'count: no objects found',
    });
    const v1 = doc.activity[provIds.job('run-v1', 'item-v1')];
    expect(v1?.['prov:startTime']).toBeUndefined();
    expect(v1?.['bioimageit:exitCode']).toBeUndefined();
    // v1 records no status (and registers outputs of failed tools): never called succeeded.
    expect(v1?.['bioimageit:status']).toBe('unknown');
  });

  it('derives each generated output from exactly its origin inputs', async () => {
    const doc = await buildProvJson(store);
    expect(derivations(doc)).toEqual({
      [provIds.item('t1')]: [provIds.item('r1')],
      [provIds.item('t2')]: [provIds.item('r2')],
      [provIds.item('c1')]: [provIds.item('t1')],
      [provIds.item('v1')]: [provIds.item('r3')],
    });
    for (const item of await store.items('threshold')) {
      const origin = item.origin.type === 'processed' ? item.origin.inputs.map((i) => provIds.item(i.id)) : [];
      expect(derivations(doc)[provIds.item(item.id)]).toEqual(origin);
    }
  });

  it('generates reused outputs only by the job that made them; the cached job is informed by it', async () => {
    const doc = await buildProvJson(store);
    const generators = Object.values(doc.wasGeneratedBy).filter((g) => g['prov:entity'] === provIds.item('t1'));
    expect(generators.map((g) => g['prov:activity'])).toEqual([provIds.job('run-a', 'a1')]);
    expect(Object.values(doc.wasInformedBy)).toEqual([{ 'prov:informed': provIds.job('run-c', 'c1'), 'prov:informant': provIds.job('run-a', 'a1') }]);
    const attributed = Object.values(doc.wasAttributedTo).find((a) => a['prov:entity'] === provIds.item('r1'));
    expect(attributed?.['prov:agent']).toBe(provIds.user('importer'));
  });

  it('is stable: the same store gives the same document, with escaped ids', async () => {
    expect(JSON.stringify(await buildProvJson(store))).toBe(JSON.stringify(await buildProvJson(store)));
    expect(provLocal('run a/1_x')).toBe('run_0020a_002f1_005fx');
    expect(provLocal('a_b')).not.toBe(provLocal('a.b'));
  });

  it('writes the document and the checker catches relations to nothing', async () => {
    const file = join(dir, 'prov.json');
    const written = await writeProvJson(store, file, { runs: ['run-a'] });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(written);
    expect(Object.keys(written.activity)).toEqual([provIds.job('run-a', 'a1'), provIds.job('run-a', 'a2')]);
    const broken = { ...written, entity: { ...written.entity, [provIds.item('t1')]: undefined } } as unknown as ProvJsonDocument;
    const problems = checkProvJson(broken);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes(`'${provIds.item('t1')}', which is not an entity`))).toBe(true);
  });
});

describe('buildProvJson: runner environment', () => {
  it('records the environment the runner reported (image id, digests) on the job activity', async () => {
    store.addRun(dockerRun());
    const doc = await buildProvJson(store);
    const activity = doc.activity[provIds.job('run-d', 'd1')] as Record<string, unknown>;
    expect(activity['bioimageit:runner']).toBe('docker');
    expect(JSON.parse(activity['bioimageit:environment'] as string)).toMatchObject({
      image: 'registry.example.org/lab/threshold:1.2',
      imageId: 'sha256:0123abcd',
    });
    expect((doc.activity[provIds.job('run-a', 'a1')] as Record<string, unknown>)['bioimageit:environment']).toBeUndefined();
    expect(checkProvJson(doc)).toEqual([]);
  });
});

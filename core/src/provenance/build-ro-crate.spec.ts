import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRoCrate, writeRoCrate } from './build-ro-crate.js';
import { checkRoCrate } from './check-ro-crate.js';
import { PROCESS_RUN_CRATE_PROFILE, RO_CRATE_CONTEXT, type RoCrateDocument, type RoCrateEntity } from './ro-crate-types.js';
import type { InMemoryExperimentStore } from './test-support/in-memory-experiment-store.js';
import { condaRun, dockerRun, provenanceScenario } from './test-support/provenance-scenario.js';

let dir: string;
let store: InMemoryExperimentStore;
const ALL_OUTPUTS = ['t1', 't2', 'c1', 'v1'];
/** The workspace licence every crate of these specs declares (RO-Crate 1.1 requires one). */
const LICENSED = { license: 'CC-BY-4.0' };
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-crate-'));
  store = await provenanceScenario(join(dir, 'exp'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entity(doc: RoCrateDocument, id: string): RoCrateEntity {
  const found = doc['@graph'].find((e) => e['@id'] === id);
  if (found === undefined) throw new Error(`no entity ${id}`);
  return found;
}
const byIdentifier = (doc: RoCrateDocument, itemId: string): RoCrateEntity | undefined =>
  doc['@graph'].find((e) => e['identifier'] === itemId && e['@type'] === 'File');
const action = (doc: RoCrateDocument, run: string, job: string): RoCrateEntity => entity(doc, `#run/${run}/job/${job}`);

describe('writeRoCrate', () => {
  it('writes a crate that passes the structural check, with every output copied', async () => {
    const crate = join(dir, 'crate');
    const doc = await writeRoCrate(store, crate, { now: new Date('2025-02-01T00:00:00Z'), ...LICENSED });
    expect(await checkRoCrate(doc, crate, { expectedOutputs: ALL_OUTPUTS })).toEqual([]);
    const written = JSON.parse(await readFile(join(crate, 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
    expect(written).toEqual(doc);
    expect(doc['@context']).toContain(RO_CRATE_CONTEXT);
    const root = entity(doc, './');
    expect(root).toMatchObject({
      '@type': 'Dataset',
      name: 'Plate 1',
      datePublished: '2025-02-01T00:00:00.000Z',
      conformsTo: { '@id': PROCESS_RUN_CRATE_PROFILE },
    });
    expect(root['license']).toEqual({ '@id': 'https://spdx.org/licenses/CC-BY-4.0' });
    expect(entity(doc, 'https://spdx.org/licenses/CC-BY-4.0')).toMatchObject({
      '@type': 'CreativeWork',
      name: 'Creative Commons Attribution 4.0 International',
      identifier: 'CC-BY-4.0',
    });
    expect(root['mentions']).toHaveLength(6);
    // One Dataset per folder of the crate, each listing its files.
    expect(root['hasPart']).toEqual(['data/', 'threshold/', 'count/', 'copied/'].map((id) => ({ '@id': id })));
    expect(entity(doc, 'threshold/')).toMatchObject({
      '@type': 'Dataset',
      hasPart: [{ '@id': 'threshold/o_population1_001.tif' }, { '@id': 'threshold/o_population1_002.tif' }],
    });
    expect(await readFile(join(crate, 'threshold', 'o_population1_001.tif'), 'utf8')).toBe('binary one');
    expect(byIdentifier(doc, 'c1')).toMatchObject({
      '@id': 'count/count_population1_001.csv',
      encodingFormat: 'text/csv',
      contentSize: '10',
      sha256: sha('objects\n3\n'),
    });
    const r1 = byIdentifier(doc, 'r1');
    expect(r1).toMatchObject({ encodingFormat: 'image/tiff', keywords: ['Population=population1', 'number=001'] });
    const tags = (r1?.['additionalProperty'] as { '@id': string }[]).map((r) => entity(doc, r['@id']));
    expect(tags).toEqual([
      { '@id': '#tag/Population/population1', '@type': 'PropertyValue', name: 'Population', value: 'population1' },
      { '@id': '#tag/number/001', '@type': 'PropertyValue', name: 'number', value: '001' },
    ]);
  });

  it('makes one CreateAction per job with instrument, inputs, parameters, outputs, agent and times', async () => {
    const doc = await buildRoCrate(store);
    const a1 = action(doc, 'run-a', 'a1');
    expect(a1).toMatchObject({
      '@type': 'CreateAction',
      instrument: { '@id': '#tool/sha256%3Atool-threshold' },
      agent: { '@id': '#person/ada' },
      object: [{ '@id': 'data/population1_001.tif' }, { '@id': '#run/run-a/parameter/threshold' }],
      result: [{ '@id': 'threshold/o_population1_001.tif' }],
      startTime: '2025-01-03T10:00:01.000Z',
      endTime: '2025-01-03T10:00:11.000Z',
      actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
    });
    expect(entity(doc, '#tool/sha256%3Atool-threshold')).toMatchObject({
      '@type': 'SoftwareApplication',
      name: 'Threshold',
      version: '1.0.0',
      identifier: 'sha256:tool-threshold',
    });
    expect(entity(doc, '#run/run-a/parameter/threshold')).toMatchObject({ '@type': 'PropertyValue', name: 'threshold', value: '128' });
    expect(entity(doc, '#person/ada')).toMatchObject({ '@type': 'Person', name: 'ada' });
  });

  it("describes the tool with its manifest's authors, licence, citations and facts (a model's id, weights sha256, runtime)", async () => {
    const run = (await store.listRuns()).find((r) => r.id === 'run-a');
    if (run === undefined) throw new Error('scenario lacks run-a');
    store.addRun({
      ...run,
      id: 'run-model',
      tool: {
        ...run.tool,
        digest: 'sha256:tool-model',
        authors: ['Ada Lovelace (ORCID 0000-0002-1825-0097)'],
        license: 'MIT',
        cite: [
          { text: 'A paper', doi: '10.1000/xyz' },
          { text: 'A page', url: 'https://example.org/model' },
        ],
        facts: { 'model.id': 'affable-shark', 'weights.sha256': 'ab12', runtime: 'onnxruntime-node 1.31.1 (cpu)' },
      },
    });
    const doc = await buildRoCrate(store, LICENSED);
    const tool = entity(doc, '#tool/sha256%3Atool-model');
    expect(tool).toMatchObject({
      license: { '@id': 'https://spdx.org/licenses/MIT' },
      author: [{ '@id': 'https://orcid.org/0000-0002-1825-0097' }],
      citation: ['https://doi.org/10.1000/xyz', 'https://example.org/model'],
    });
    expect(entity(doc, 'https://orcid.org/0000-0002-1825-0097')).toEqual({
      '@id': 'https://orcid.org/0000-0002-1825-0097',
      '@type': 'Person',
      name: 'Ada Lovelace',
    });
    const facts = (tool['additionalProperty'] as { '@id': string }[]).map((r) => entity(doc, r['@id']));
    expect(facts.map((f) => [f['name'], f['value']])).toEqual([
      ['model.id', 'affable-shark'],
      ['weights.sha256', 'ab12'],
      ['runtime', 'onnxruntime-node 1.31.1 (cpu)'],
    ]);
    expect(await checkRoCrate(doc)).toEqual([]);
  });

  it('records failed jobs with their error and no result, and cached jobs as reusing outputs', async () => {
    const doc = await buildRoCrate(store);
    const failed = action(doc, 'run-b', 'b2');
    expect(failed).toMatchObject({ actionStatus: { '@id': 'http://schema.org/FailedActionStatus' }, error: 'count: no objects found', result: [] });
    expect(failed['description']).toContain('Exit code 1');
    const cached = action(doc, 'run-c', 'c1');
    expect(cached).toMatchObject({
      actionStatus: { '@id': 'http://schema.org/CompletedActionStatus' },
      result: [{ '@id': 'threshold/o_population1_001.tif' }],
    });
    expect(cached['description']).toContain('reuses the outputs of run run-a job a1');
  });

  it('reconstructs v1 runs (no jobs) from origins, without times, hashing files that record no checksum', async () => {
    const doc = await buildRoCrate(store);
    const v1 = action(doc, 'run-v1', 'item-v1');
    expect(v1).toMatchObject({
      object: [{ '@id': 'data/population2_003.tif' }],
      result: [{ '@id': 'copied/o_population2_003.tif' }],
      agent: { '@id': '#person/importer' },
    });
    expect(v1['startTime']).toBeUndefined();
    expect(v1['endTime']).toBeUndefined();
    // v1 recorded no status: no schema.org status claims one (Completed would be a guess).
    expect(v1['actionStatus']).toBeUndefined();
    expect(v1['description']).toContain('Status unknown');
    expect(entity(doc, '#tool/biitcopy_v1.0.0%40')).toMatchObject({ name: 'biitcopy_v1.0.0' });
    expect(byIdentifier(doc, 'v1')).toMatchObject({ sha256: sha('raw three'), contentSize: '9' });
  });

  it('names the exporting user by ORCID: the root author and the agent of their own actions', async () => {
    const orcid = 'https://orcid.org/0000-0002-1825-0097';
    const doc = await buildRoCrate(store, { ...LICENSED, author: { name: 'ada', orcid: '0000-0002-1825-0097' } });
    expect(entity(doc, './')['author']).toEqual({ '@id': orcid });
    expect(entity(doc, orcid)).toMatchObject({ '@type': 'Person', name: 'ada' });
    expect(action(doc, 'run-a', 'a1')['agent']).toEqual({ '@id': orcid });
    expect(action(doc, 'run-v1', 'item-v1')['agent']).toEqual({ '@id': '#person/importer' });
    expect(doc['@graph'].some((e) => e['@id'] === '#person/ada')).toBe(false);
    expect(await checkRoCrate(doc)).toEqual([]);
  });

  it('exports only the runs asked for, and names unknown runs', async () => {
    const doc = await buildRoCrate(store, { runs: ['run-b'] });
    expect(entity(doc, './')['mentions']).toEqual([{ '@id': '#run/run-b/job/b1' }, { '@id': '#run/run-b/job/b2' }]);
    expect(doc['@graph'].filter((e) => e['@type'] === 'File').map((e) => e['identifier'])).toEqual(['t1', 'c1', 't2']);
    await expect(buildRoCrate(store, { runs: ['run-b', 'nope'] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining("'nope'") });
  });

  it('references files by absolute URI without copying them when copyData is false', async () => {
    const crate = join(dir, 'crate');
    const doc = await writeRoCrate(store, crate, { copyData: false, ...LICENSED });
    expect(byIdentifier(doc, 't1')?.['@id']).toMatch(/^file:\/\/.*\/threshold\/o_population1_001\.tif$/);
    await expect(stat(join(crate, 'threshold'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await checkRoCrate(doc, crate, { expectedOutputs: ALL_OUTPUTS })).toEqual([]);
  });
});

describe('writeRoCrate target folder', () => {
  it('replaces an earlier crate whole (no stale files) and refuses a folder of other files', async () => {
    const crate = join(dir, 'again');
    await writeRoCrate(store, crate);
    await writeFile(join(crate, 'stale.txt'), 'from an earlier export');
    await writeRoCrate(store, crate, { copyData: false });
    expect(await readdir(crate)).toEqual(['ro-crate-metadata.json']);
    expect((await readdir(dir)).filter((e) => e.startsWith('.again'))).toEqual([]);

    const mine = join(dir, 'my-notes');
    await mkdir(mine);
    await writeFile(join(mine, 'notes.txt'), 'keep me');
    await expect(writeRoCrate(store, mine)).rejects.toMatchObject({ code: 'EXISTS', message: expect.stringContaining(mine) });
    expect(await readdir(mine)).toEqual(['notes.txt']);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await writeRoCrate(store, empty, { copyData: false });
    expect(await readdir(empty)).toEqual(['ro-crate-metadata.json']);
  });
});

describe('buildRoCrate: containers', () => {
  it('links a job run in a container to a ContainerImage with name, tag, sha256 and registry digests', async () => {
    store.addRun(dockerRun());
    const doc = await buildRoCrate(store, LICENSED);
    const job = action(doc, 'run-d', 'd1');
    const image = entity(doc, (job['containerImage'] as { '@id': string })['@id']);
    expect(image).toEqual({
      '@id': '#container/sha256%3A0123abcd',
      '@type': 'ContainerImage',
      additionalType: { '@id': 'https://w3id.org/ro/terms/workflow-run#DockerImage' },
      name: 'registry.example.org/lab/threshold',
      tag: '1.2',
      sha256: '0123abcd',
      identifier: ['registry.example.org/lab/threshold@sha256:feed'],
    });
    expect(action(doc, 'run-a', 'a1')['containerImage']).toBeUndefined();
    expect(await checkRoCrate(doc)).toEqual([]);
  });

  it('names the locked conda environment of a conda job as a second instrument, with its packages', async () => {
    store.addRun(condaRun());
    const doc = await buildRoCrate(store, LICENSED);
    for (const job of ['k1', 'k2']) {
      const instruments = action(doc, 'run-k', job)['instrument'] as { '@id': string }[];
      expect(instruments.map((i) => i['@id'])).toEqual([expect.stringMatching(/^#tool\//), '#conda-environment/ab12']);
    }
    const environment = entity(doc, '#conda-environment/ab12');
    expect(environment).toMatchObject({ '@type': 'SoftwareApplication', name: 'conda environment /w/.bioimageit/envs/9f2c', identifier: 'sha256:ab12' });
    const packages = (environment['hasPart'] as { '@id': string }[]).map((p) => entity(doc, p['@id']));
    expect(packages.map((p) => [p['name'], p['softwareVersion'], p['identifier'], p['url']])).toEqual([
      ['python', '3.12.3', 'h2628c8c_0_cpython', 'https://conda.anaconda.org/conda-forge/'],
      ['scikit-image', '0.22.0', 'py312h1d6d2e6_2', 'https://conda.anaconda.org/conda-forge/'],
    ]);
    // The job that only points to the lock (lockIn) lists the packages too, read from that job.
    const other = await provenanceScenario(join(dir, 'exp2'));
    const run = condaRun();
    other.addRun({ ...run, jobs: [...(run.jobs ?? [])].reverse() });
    expect(entity(await buildRoCrate(other, { runs: ['run-k'] }), '#conda-environment/ab12')['hasPart']).toHaveLength(2);
    expect(action(doc, 'run-a', 'a1')['instrument']).toEqual({ '@id': expect.stringMatching(/^#tool\//) });
    expect(await checkRoCrate(doc)).toEqual([]);
  });
});

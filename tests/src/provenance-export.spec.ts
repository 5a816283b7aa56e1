import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkProvJson,
  checkRoCrate,
  createKernel,
  defaultConfig,
  lineage,
  writeProvJson,
  writeRoCrate,
  type DataItem,
  type ExperimentStore,
  type Kernel,
  type LineageGraph,
  type ProvJsonDocument,
  type RoCrateDocument,
} from '@bioimageit/core';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { cli, copyV1Experiment, tempDir } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
let kernel: Kernel;
let store: ExperimentStore;
let exp: string;

beforeEach(async () => {
  dir = await tempDir('biit-prov-');
  exp = await copyV1Experiment(dir.path);
  kernel = await createKernel({ config: defaultConfig(dir.path, 'tester', DEFAULT_PLUGINS) });
  store = await kernel.openExperiment(exp);
});
afterEach(async () => {
  await kernel.dispose();
  await dir.cleanup();
});

const processedIds = async (): Promise<string[]> => [...(await store.items('copied')), ...(await store.items('threshold'))].map((i) => i.id);

/** Runs a (fake) count tool on one of v1's thresholded items: a run with a job, times and an exit code. */
async function countRun(input: DataItem): Promise<DataItem> {
  await store.ensureProcessedDataset('count');
  const staging = await store.createStagingDir('count');
  const csv = 'objects\n7\n';
  await writeFile(join(staging, 'count.csv'), csv);
  const run = {
    id: 'run-count-1',
    dataset: 'count',
    tool: { id: 'count', name: 'Count objects', version: '0.1.0', digest: 'sha256:count-digest', source: '/tools/count.json' },
    parameters: [{ name: 'min_size', value: '4' }],
    inputs: [{ name: 'i', dataset: 'threshold', query: '' }],
    runner: 'local',
    host: 'bench',
    user: 'tester',
    start: '2025-03-01T09:00:00.000Z',
    status: 'running' as const,
    jobs: [],
  };
  await store.saveRun(run);
  const [made] = await store.commitProcessedItems('count', [
    {
      sourcePath: join(staging, 'count.csv'),
      name: `count_${input.name}.csv`,
      format: 'tablecsv',
      size: Buffer.byteLength(csv),
      sha256: createHash('sha256').update(csv).digest('hex'),
      metadata: {},
      author: 'tester',
      date: '2025-03-01',
      origin: { runId: run.id, inputs: [{ name: 'i', id: input.id }], output: { name: 'table', label: 'Counts' }, job: { id: 'job-1', cacheKey: 'k1' } },
    },
  ]);
  if (made === undefined) throw new Error('nothing committed');
  const job = {
    id: 'job-1',
    index: 1,
    inputs: { i: [input.id] },
    status: 'succeeded' as const,
    exitCode: 0,
    start: '2025-03-01T09:00:01.000Z',
    end: '2025-03-01T09:00:02.000Z',
    outputs: [made.id],
    cacheKey: 'k1',
  };
  await store.saveRun({ ...run, status: 'succeeded', end: '2025-03-01T09:00:03.000Z', jobs: [job] });
  await rm(staging, { recursive: true, force: true });
  return made;
}

describe("provenance export of v1's exp100", () => {
  it('writes an RO-Crate that passes the structural check, one action per v1 output', async () => {
    const crate = join(dir.path, 'crate');
    const doc = await writeRoCrate(store, crate, { license: 'CC-BY-4.0' });
    expect(await checkRoCrate(doc, crate, { expectedOutputs: await processedIds() })).toEqual([]);
    const actions = doc['@graph'].filter((e) => e['@type'] === 'CreateAction');
    expect(actions).toHaveLength(149);
    expect(actions.every((a) => a['startTime'] === undefined)).toBe(true);
    expect(doc['@graph'].filter((e) => e['@type'] === 'File')).toHaveLength(249);
    const threshold = doc['@graph'].find((e) => e['@type'] === 'SoftwareApplication' && e['alternateName'] === 'biitthreshold');
    expect(threshold).toMatchObject({ version: '1.0.0' });
    await rm(join(crate, 'threshold', 'o_population1_003.tif'));
    expect(await checkRoCrate(doc, crate)).toEqual(["File 'threshold/o_population1_003.tif' is missing from the crate folder"]);
    // v1 recorded no status: its reconstructed actions claim none (see provenance-v1-status.spec.ts).
    expect(actions.every((a) => a['actionStatus'] === undefined)).toBe(true);
  });

  it('writes PROV-JSON whose relations resolve and whose derivations match the origins', async () => {
    const file = join(dir.path, 'prov.json');
    await writeProvJson(store, file);
    const doc = JSON.parse(await readFile(file, 'utf8')) as ProvJsonDocument;
    expect(checkProvJson(doc)).toEqual([]);
    const derived = new Map<string, string[]>();
    for (const d of Object.values(doc.wasDerivedFrom))
      derived.set(String(d['prov:generatedEntity']), [...(derived.get(String(d['prov:generatedEntity'])) ?? []), String(d['prov:usedEntity'])]);
    const processed = [...(await store.items('copied')), ...(await store.items('threshold'))];
    expect(derived.size).toBe(processed.length);
    for (const item of processed) {
      const entityId = Object.keys(doc.entity).find((id) => doc.entity[id]?.['bioimageit:itemId'] === item.id) ?? '';
      const inputs = item.origin.type === 'processed' ? item.origin.inputs.map((i) => i.id) : [];
      expect((derived.get(entityId) ?? []).map((e) => doc.entity[e]?.['bioimageit:itemId'])).toEqual(inputs);
    }
  });

  it('traces a twice-processed item back to its raw item, and exports the new run with its times', async () => {
    const thresholded = (await store.items('threshold')).find((i) => i.name === 'o_population1_003');
    if (thresholded === undefined) throw new Error('fixture changed');
    const counted = await countRun(thresholded);
    const graph: LineageGraph = await lineage(store, counted.id);
    const names = graph.nodes.filter((n) => n.kind === 'item').map((n) => (n.kind === 'item' ? n.name : ''));
    expect(names).toEqual([counted.name, 'o_population1_003', 'population1_003.tif']);
    expect(graph.nodes.filter((n) => n.kind === 'job').map((n) => n.id)).toEqual(['job:run-count-1/job-1', expect.stringMatching(/^job:62be6ed4-.*\/item-/)]);
    const crate = join(dir.path, 'crate');
    const doc: RoCrateDocument = await writeRoCrate(store, crate, { runs: ['run-count-1'], license: 'CC-BY-4.0' });
    expect(await checkRoCrate(doc, crate, { expectedOutputs: [counted.id] })).toEqual([]);
    expect(doc['@graph'].find((e) => e['@id'] === '#run/run-count-1/job/job-1')).toMatchObject({
      startTime: '2025-03-01T09:00:01.000Z',
      agent: { '@id': '#person/tester' },
    });
  });

  it('bioimageit provenance export and show', async () => {
    const thresholded = (await store.items('threshold')).find((i) => i.name === 'o_population1_005');
    if (thresholded === undefined) throw new Error('fixture changed');
    const counted = await countRun(thresholded);
    // No workspace licence: the crate is still written, with a warning, and --check names the gap.
    const unlicensed = await cli(dir.path, ['provenance', 'export', '-e', exp, '--ro-crate', 'crate', '--check']);
    expect(unlicensed.stderr).toContain('warning: the workspace declares no licence');
    expect(unlicensed.stderr).toContain('crate problem: root data entity has no license');
    expect(unlicensed.code).toBe(1);
    await writeFile(
      join(dir.path, 'bioimageit.config.json'),
      JSON.stringify({ user: { name: 'tester', orcid: '0000-0002-1825-0097' }, license: 'CC-BY-4.0', plugins: DEFAULT_PLUGINS }),
    );
    const out = await cli(dir.path, ['provenance', 'export', '-e', exp, '--ro-crate', 'crate', '--prov', 'prov.json', '--check']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('150 action(s), 250 file(s) copied (RO-Crate 1.1, Process Run Crate 0.5)');
    expect(out.stdout).toContain('150 activities');
    const written = JSON.parse(await readFile(join(dir.path, 'crate', 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
    const root = written['@graph'].find((e) => e['@id'] === './');
    expect(root).toMatchObject({ license: { '@id': 'https://spdx.org/licenses/CC-BY-4.0' }, author: { '@id': 'https://orcid.org/0000-0002-1825-0097' } });
    expect(written['@graph'].find((e) => e['@id'] === '#run/run-count-1/job/job-1')?.['agent']).toEqual({ '@id': 'https://orcid.org/0000-0002-1825-0097' });
    const only = await cli(dir.path, ['provenance', 'export', '-e', exp, '--ro-crate', 'crate2', '--run', 'run-count-1', '--no-data', '--json']);
    expect(JSON.parse(only.stdout)).toMatchObject({ roCrate: { actions: 1, files: 2, copied: false, license: 'CC-BY-4.0' } });
    const legacy = await cli(dir.path, ['provenance', 'export', '-e', exp, '--ro-crate', 'crate3', '--run', 'run-count-1', '--no-copy', '--json']);
    expect(JSON.parse(legacy.stdout)).toMatchObject({ roCrate: { files: 2, copied: false } });
    const show = await cli(dir.path, ['provenance', 'show', counted.id, '-e', exp]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^count_o_population1_005 {2}\[count\]/);
    expect(show.stdout).toContain('o of biitthreshold_v1.0.0 (run 62be6ed4-0ecc-49b4-a893-18f03402b94f, v1 job) with threshold=128');
    expect(show.stdout).toContain('table of Count objects 0.1.0 (run run-count-1, job job-1, succeeded, exit 0');
    expect(show.stdout).toMatch(/└─ i: population1_005\.tif {2}\[data, raw\]/);
    const json = JSON.parse((await cli(dir.path, ['provenance', 'show', 'count_o_population1_005', '-e', exp, '--json'])).stdout) as LineageGraph;
    expect(json.root).toBe(`item:${counted.id}`);
    expect(json.nodes).toHaveLength(7);
    const ambiguous = await cli(dir.path, ['provenance', 'show', 'o_population1_005', '-e', exp]);
    expect([ambiguous.code, ambiguous.stderr]).toEqual([2, expect.stringContaining("'o_population1_005' names 2 items")]);
    expect((await cli(dir.path, ['provenance', 'export', '-e', exp])).code).toBe(2);
    expect((await cli(dir.path, ['provenance', 'export', '-e', exp, '--prov', 'p.json', '--run', 'nope'])).stderr).toContain("no run 'nope'");
  });
});

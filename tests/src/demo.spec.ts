import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoCrate, createKernel, parseCsv, type DataItem, type ExperimentStore, type Kernel, type RoCrateDocument } from '@bioimageit/core';
import { cli, tempDir, type CliRun } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';

/** 4 wells × 2 populations × 2 images: 16 images, 52 jobs. */
const IMAGES = 16;

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let demo: CliRun;
let kernel: Kernel;
let store: ExperimentStore;
/** Blobs generated per image, by `Well/Population/number`. */
let expected: Map<string, number>;

const keyOf = (item: DataItem) => `${item.tags['Well']}/${item.tags['Population']}/${item.tags['number']}`;
const rowsOf = async (item: DataItem) => parseCsv(await readFile(await store.localize(item), 'utf8'));

beforeAll(async () => {
  dir = await tempDir('biit-demo-');
  ws = join(dir.path, 'ws');
  demo = await cli(dir.path, ['demo', 'ws', '--images', '2', '--jobs', '2']);
  kernel = await createKernel({ workspace: ws, env: {} });
  store = await kernel.openExperiment('Demo plate');
  const truth = parseCsv(await readFile(join(ws, 'incoming', 'expected-counts.csv'), 'utf8')).slice(1);
  expected = new Map(truth.map(([, well, population, number, blobs]) => [`${well}/${population}/${number}`, Number(blobs)]));
}, 240_000);
afterAll(async () => {
  await kernel?.dispose();
  await dir.cleanup();
});

describe('bioimageit demo', () => {
  it('runs every step and prints where the results are', () => {
    expect(demo.code, demo.stderr).toBe(0);
    for (const step of [
      '$ bioimageit init',
      '$ bioimageit import incoming',
      '$ bioimageit tag set',
      '$ bioimageit pipeline run demo-pipeline.json',
      '$ bioimageit provenance export',
    ]) {
      expect(demo.stdout).toContain(step);
    }
    expect(demo.stdout).toMatch(/pipeline count-blobs succeeded: 4 step\(s\), 52 job\(s\), 0 from cache/);
    expect(demo.stdout).toContain(`object counts   ${IMAGES} of ${IMAGES} image(s) counted, every count equal to the blobs generated`);
    expect(demo.stdout).toContain(`RO-Crate        ${join(ws, 'ro-crate', 'ro-crate-metadata.json')}`);
    expect(demo.stdout).toMatch(/\nthumbnails {6}\S/);
    expect(demo.stdout).toMatch(new RegExp(`summary tables  ${join(ws, 'Demoplate', 'summary', 'summary_A01.csv').replace(/[.]/g, '\\.')}`));
  });

  it('makes one dataset per step with the expected item counts, tagged from names, folders and by hand', async () => {
    const counts = Object.fromEntries((await store.listDatasets()).map((d) => [d.name, d.itemCount]));
    expect(counts).toEqual({ data: IMAGES, blurred: IMAGES, mask: IMAGES, objects: IMAGES, summary: 4 });
    const raw = await store.items('data');
    expect(
      raw
        .filter((i) => i.tags['Treatment'] === 'control')
        .map((i) => i.tags['Well'])
        .sort(),
    ).toEqual(['A01', 'A01', 'A01', 'A01', 'A02', 'A02', 'A02', 'A02']);
    expect(new Set(raw.map((i) => i.tags['Plate']))).toEqual(new Set(['plate1']));
    const masks = await store.items('mask');
    expect(masks.every((m) => m.metadata.dtype === 'uint8' && JSON.stringify(m.metadata.shape) === '[6,48,48]')).toBe(true);
  });

  it('counts exactly the blobs generated in each image', async () => {
    expect(new Set(expected.values()).size).toBeGreaterThan(2);
    const tables = await store.items('objects');
    const found = new Map(await Promise.all(tables.map(async (t) => [keyOf(t), (await rowsOf(t)).length - 1] as const)));
    expect(found).toEqual(expected);
    const header = (await rowsOf(tables[0] as DataItem))[0];
    expect(header).toEqual(['label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x']);
  });

  it('summarizes per Well: one summary table per group, one row per image of the group', async () => {
    const summaries = [...(await store.items('summary'))].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(summaries.map((s) => [s.name, s.tags['Well']])).toEqual([
      ['summary_A01', 'A01'],
      ['summary_A02', 'A02'],
      ['summary_B01', 'B01'],
      ['summary_B02', 'B02'],
    ]);
    for (const summary of summaries) {
      const [header, ...rows] = await rowsOf(summary);
      expect(header).toEqual(['input', 'objects', 'mean_size']);
      const well = summary.tags['Well'] as string;
      // Only what all of the well's images share: never the Population or number of one of them.
      expect(summary.tags).toEqual({ Plate: 'plate1', Well: well, Treatment: well.startsWith('A') ? 'control' : 'drug' });
      expect(rows.map((r) => r[0])).toEqual(['population1_001', 'population1_002', 'population2_001', 'population2_002'].map((s) => `${well}_${s}`));
      expect(rows.map((r) => Number(r[1]))).toEqual(
        rows.map((r) => expected.get(`${well}/${(r[0] as string).split('_')[1]}/${(r[0] as string).split('_')[2]}`)),
      );
      expect(rows.every((r) => Number(r[2]) > 10)).toBe(true);
    }
  });

  it('exports an RO-Crate that passes the structural check', async () => {
    const crate = join(ws, 'ro-crate');
    const doc = JSON.parse(await readFile(join(crate, 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
    expect(await checkRoCrate(doc, crate)).toEqual([]);
    expect(doc['@graph'].filter((e) => e['@type'] === 'CreateAction')).toHaveLength(3 * IMAGES + 4);
  });

  it('never deletes a folder that is not a demo workspace', async () => {
    const other = join(dir.path, 'precious');
    await mkdir(other);
    await writeFile(join(other, 'thesis.txt'), 'keep me');
    const refused = await cli(dir.path, ['demo', 'precious']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error: refusing to replace ${other}: the folder is not empty and is not a demo workspace`);
    expect(await readFile(join(other, 'thesis.txt'), 'utf8')).toBe('keep me');
  });

  it('runs from the built command as a process', async () => {
    const target = join(dir.path, 'process-demo');
    const run = await startCli(BUILT_CLI, ['demo', target, '--images', '1'], dir.path).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('pipeline count-blobs succeeded: 4 step(s), 28 job(s), 0 from cache');
    expect(run.stdout).toContain('object counts   8 of 8 image(s) counted, every count equal to the blobs generated');
  }, 240_000);
});

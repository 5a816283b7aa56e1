import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, parseCsv, readTiffFileLayout, readTiffPixels, type DataItem, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { writeSyntheticPlate, type SyntheticPlateManifest } from '@bioimageit/core/testing';
import { cli, tempDir, type CliRun } from './cli-harness.js';

/**
 * The channel-aware bundled tools on a 3-channel plate (synthetic, 4 wells × 2 fields of ZCYX
 * OME-TIFFs): import with Well and Field tags from the file names, then the pipeline
 * extract-channel(DAPI) → blur → threshold (Otsu) → count objects → summarize per Well.
 */
const EXPERIMENT = 'Nuclei plate';
const PIPELINE = {
  name: 'count-nuclei',
  steps: [
    {
      name: 'dapi',
      tool: 'bioimageit.extract-channel',
      params: { channel: 'DAPI' },
      inputs: [{ name: 'image', dataset: 'data' }],
      outputDataset: 'dapi',
    },
    { name: 'blur', tool: 'bioimageit.gaussian-blur', params: { sigma: 1 }, inputs: [{ name: 'image', step: 'dapi' }], outputDataset: 'blurred' },
    { name: 'threshold', tool: 'bioimageit.threshold', params: { method: 'otsu' }, inputs: [{ name: 'image', step: 'blur' }], outputDataset: 'mask' },
    {
      name: 'count',
      tool: 'bioimageit.count-objects',
      params: { connectivity: 'full', min_size: 20 },
      inputs: [{ name: 'mask', step: 'threshold' }],
      outputDataset: 'objects',
    },
    { name: 'summarize', tool: 'bioimageit.summarize', params: {}, inputs: [{ name: 'tables', step: 'count' }], outputDataset: 'summary', groupBy: ['Well'] },
  ],
};

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let plate: SyntheticPlateManifest;
let imported: CliRun;
let pipeline: CliRun;
let kernel: Kernel;
let store: ExperimentStore;

const rowsOf = async (item: DataItem) => parseCsv(await readFile(await store.localize(item), 'utf8'));

beforeAll(async () => {
  dir = await tempDir('biit-plate-');
  ws = join(dir.path, 'ws');
  plate = await writeSyntheticPlate(join(dir.path, 'incoming'));
  expect((await cli(dir.path, ['init', ws, '--user', 'tester'])).code).toBe(0);
  expect((await cli(ws, ['experiment', 'create', EXPERIMENT])).code).toBe(0);
  imported = await cli(ws, [
    'import',
    join(dir.path, 'incoming'),
    '-e',
    EXPERIMENT,
    '--glob',
    '*.ome.tif',
    '--tag-regex',
    '(?<Plate>plate\\d+)_(?<Well>[A-Z]\\d+)_f(?<Field>\\d+)',
  ]);
  await writeFile(join(ws, 'pipeline.json'), JSON.stringify(PIPELINE));
  pipeline = await cli(ws, ['pipeline', 'run', 'pipeline.json', '-e', EXPERIMENT, '--jobs', '2']);
  kernel = await createKernel({ workspace: ws, env: {} });
  store = await kernel.openExperiment(EXPERIMENT);
}, 240_000);
afterAll(async () => {
  await kernel?.dispose();
  await dir?.cleanup();
});

describe('a 3-channel plate through the channel-aware bundled tools', () => {
  it('imports the stacks tagged with Plate, Well and Field, and runs every step', async () => {
    expect(imported.code, imported.stderr).toBe(0);
    const raw = await store.items('data');
    expect(raw.map((i) => `${i.tags['Plate']}/${i.tags['Well']}/${i.tags['Field']}`).sort()).toEqual(
      plate.images.map((i) => `plate1/${i.well}/${i.field}`).sort(),
    );
    expect(pipeline.code, pipeline.stderr).toBe(0);
    const n = plate.images.length;
    expect(pipeline.stdout).toMatch(new RegExp(`pipeline count-nuclei succeeded: 5 step\\(s\\), ${4 * n + 4} job\\(s\\)`));
    const counts = Object.fromEntries((await store.listDatasets()).map((d) => [d.name, d.itemCount]));
    expect(counts).toEqual({ data: n, dapi: n, blurred: n, mask: n, objects: n, summary: 4 });
  });

  it('extracts DAPI as a one-channel stack that keeps axes, physical sizes and the channel name and colour', async () => {
    const dapi = await store.items('dapi');
    for (const item of dapi) {
      expect(item.metadata).toMatchObject({
        axes: 'ZCYX',
        shape: [6, 1, 96, 120],
        dtype: 'uint16',
        channels: [{ name: 'DAPI', color: '#0000ff' }],
        physicalSize: { x: { value: 0.1625, unit: 'µm' }, y: { value: 0.1625, unit: 'µm' }, z: { value: 0.5, unit: 'µm' } },
      });
    }
    const masks = await store.items('mask');
    expect(masks.every((m) => m.metadata.dtype === 'uint8' && JSON.stringify(m.metadata.shape) === '[6,1,96,120]')).toBe(true);
  });

  it('counts exactly the nuclei generated in each image', async () => {
    const expected = new Map(plate.images.map((i) => [`${i.well}/${i.field}`, i.nuclei]));
    expect(new Set(expected.values()).size).toBeGreaterThan(1);
    const tables = await store.items('objects');
    const found = new Map(await Promise.all(tables.map(async (t) => [`${t.tags['Well']}/${t.tags['Field']}`, (await rowsOf(t)).length - 1] as const)));
    expect(found).toEqual(expected);
    const header = (await rowsOf(tables[0] as DataItem))[0];
    expect(header).toEqual(['label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x']);
  });

  it('summarizes per Well: totals equal the nuclei generated, tags only those all inputs share', async () => {
    const summaries = [...(await store.items('summary'))].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(summaries.map((s) => s.name)).toEqual(['summary_A01', 'summary_A02', 'summary_B01', 'summary_B02']);
    for (const summary of summaries) {
      const well = summary.tags['Well'] as string;
      expect(summary.tags).toEqual({ Plate: 'plate1', Well: well });
      const [header, ...rows] = await rowsOf(summary);
      expect(header).toEqual(['input', 'objects', 'mean_size']);
      expect(rows).toHaveLength(2);
      expect(rows.reduce((n, r) => n + Number(r[1]), 0)).toBe(plate.nucleiPerWell[well]);
    }
  });

  it('thresholds each channel on its own: without channel the mask keeps 3 channels, and its DAPI equals the DAPI-only mask', async () => {
    const first = plate.images[0]!;
    const query = `Well=${first.well} AND Field=${first.field}`;
    const all = await cli(ws, ['run', 'bioimageit.threshold', '-e', EXPERIMENT, '-i', `image=data:${query}`, '-p', 'method=otsu', '-o', 'mask_all']);
    expect(all.code, all.stderr).toBe(0);
    const dapiOnly = await cli(ws, [
      'run',
      'bioimageit.threshold',
      '-e',
      EXPERIMENT,
      '-i',
      `image=data:${query}`,
      '-p',
      'method=otsu',
      '-p',
      'channel=DAPI',
      '-o',
      'mask_dapi',
    ]);
    expect(dapiOnly.code, dapiOnly.stderr).toBe(0);
    const [allItem] = await store.items('mask_all');
    const [dapiItem] = await store.items('mask_dapi');
    expect(allItem?.metadata).toMatchObject({ axes: 'ZCYX', shape: [6, 3, 96, 120], channels: first.channels });
    expect(dapiItem?.metadata).toMatchObject({ axes: 'ZCYX', shape: [6, 1, 96, 120], channels: [first.channels[0]] });
    const allPath = await store.localize(allItem as DataItem);
    const dapiPath = await store.localize(dapiItem as DataItem);
    expect(readTiffFileLayout(allPath).metadata.channels?.map((c) => c.name)).toEqual(['DAPI', 'GFP', 'Cy5']);
    const dapiOfAll = await readTiffPixels(allPath, { select: { C: 0 } });
    expect(Buffer.from((await readTiffPixels(dapiPath)).data).equals(Buffer.from(dapiOfAll.data))).toBe(true);
    // GFP is brighter than any DAPI pixel: one threshold over all channels would leave DAPI empty;
    // thresholded on its own, DAPI's foreground is the nuclei (a few percent of the stack).
    const foreground = Array.from(dapiOfAll.data).filter((v) => v !== 0).length / dapiOfAll.data.length;
    expect(foreground).toBeGreaterThan(0.005);
    expect(foreground).toBeLessThan(0.1);
  });
});

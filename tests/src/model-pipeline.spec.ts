import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoCrate, createKernel, parseCsv, writeTiff, type DataItem, type ExperimentStore, type Kernel, type RoCrateDocument } from '@bioimageit/core';
import { startServer } from '@bioimageit/server';
import { buildTestModels, pythonOnnxMissing } from '../../plugins/model-zoo/src/test-support/test-models.js';
import { cli, tempDir, type CliRun } from './cli-harness.js';

const skip = pythonOnnxMissing(import.meta.url);

const EXPERIMENT = 'Blobs';
const SIZE = 96;
/** Blob centres of each generated image (well apart, away from the border). */
const IMAGES: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  blobs_a: [
    [20, 20],
    [70, 60],
  ],
  blobs_b: [
    [16, 16],
    [16, 78],
    [50, 48],
    [80, 20],
  ],
  blobs_c: [
    [20, 50],
    [48, 20],
    [48, 76],
    [78, 30],
    [76, 74],
    [50, 50],
  ],
};
const PIPELINE = {
  name: 'segment-and-count',
  steps: [
    { name: 'segment', tool: 'model.percentile-2d', params: {}, inputs: [{ name: 'raw', dataset: 'data' }], outputDataset: 'mask' },
    {
      name: 'count',
      tool: 'bioimageit.count-objects',
      params: { connectivity: 'full' },
      inputs: [{ name: 'mask', step: 'segment' }],
      outputDataset: 'objects',
    },
  ],
};

/** A 96×96 uint8 image: gaussian noise around 20 plus a bright gaussian blob (σ 3) at each centre. */
function blobImage(centres: readonly (readonly [number, number])[], seed: number): Uint8Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const data = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      let value = 20 + 5 * normal();
      for (const [cy, cx] of centres) value += 160 * Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * 3 ** 2));
      data[y * SIZE + x] = Math.max(0, Math.min(255, Math.round(value)));
    }
  return data;
}

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let added: CliRun;
let pipeline: CliRun;
let kernel: Kernel;
let store: ExperimentStore;
let weightsSha256: string;

/**
 * A BioImage Model Zoo model in a pipeline, through the CLI: `percentile-2d` (percentile
 * normalization, smoothing, binarize) added to a workspace with @bioimageit/model-zoo, generated
 * blob images imported, then `model.percentile-2d` → `bioimageit.count-objects` on its mask. The
 * counts equal the blobs generated, and the run records and the RO-Crate name the model, its
 * version, its weights' sha256 and the runtime.
 */
describe.skipIf(skip)('a model-zoo model in a pipeline (built CLI)', () => {
  beforeAll(async () => {
    dir = await tempDir('biit-model-pipeline-');
    ws = join(dir.path, 'ws');
    const packages = buildTestModels(join(dir.path, 'packages'));
    weightsSha256 = createHash('sha256')
      .update(await readFile(join(packages.models['percentile-2d'], 'weights.onnx')))
      .digest('hex');
    expect((await cli(dir.path, ['init', ws, '--user', 'tester', '--plugin', '@bioimageit/model-zoo'])).code).toBe(0);
    added = await cli(ws, ['models', 'add', packages.models['percentile-2d']]);
    expect((await cli(ws, ['experiment', 'create', EXPERIMENT])).code).toBe(0);
    const incoming = join(dir.path, 'incoming');
    await mkdir(incoming);
    let seed = 1;
    for (const [name, centres] of Object.entries(IMAGES))
      await writeTiff(join(incoming, `${name}.tif`), { data: blobImage(centres, seed++), shape: [SIZE, SIZE], dtype: 'uint8', axes: 'YX' });
    expect((await cli(ws, ['import', incoming, '-e', EXPERIMENT, '--glob', '*.tif'])).code).toBe(0);
    await writeFile(join(ws, 'pipeline.json'), JSON.stringify(PIPELINE));
    pipeline = await cli(ws, ['pipeline', 'run', 'pipeline.json', '-e', EXPERIMENT, '--jobs', '2']);
    kernel = await createKernel({ workspace: ws, env: {} });
    store = await kernel.openExperiment(EXPERIMENT);
  }, 300_000);
  afterAll(async () => {
    await kernel?.dispose();
    await dir?.cleanup();
  });

  it('adds the model and runs both steps', () => {
    expect(added.code, added.stderr).toBe(0);
    expect(pipeline.code, `${pipeline.stdout}\n${pipeline.stderr}`).toBe(0);
    const n = Object.keys(IMAGES).length;
    expect(pipeline.stdout).toMatch(new RegExp(`pipeline segment-and-count succeeded: 2 step\\(s\\), ${2 * n} job\\(s\\)`));
  });

  it('writes one uint8 OME-TIFF mask per image, the size of the image', async () => {
    const masks = await store.items('mask');
    // item names keep what precedes the last extension (`blobs_a_mask.ome` for blobs_a_mask.ome.tif)
    expect(masks.map((m) => m.name.replace(/\.ome$/, '')).sort()).toEqual(Object.keys(IMAGES).map((name) => `${name}_mask`));
    for (const mask of masks) {
      expect((await store.localize(mask)).endsWith('.ome.tif')).toBe(true);
      expect(mask.metadata).toMatchObject({ dtype: 'uint8' });
      expect((mask.metadata.shape as readonly number[]).slice(-2)).toEqual([SIZE, SIZE]);
    }
  });

  it('counts exactly the blobs generated in each image', async () => {
    const tables = await store.items('objects');
    const rowsOf = async (item: DataItem) => parseCsv(await readFile(await store.localize(item), 'utf8'));
    const found = Object.fromEntries(await Promise.all(tables.map(async (t) => [t.name.replace(/_mask$/, ''), (await rowsOf(t)).length - 1] as const)));
    expect(found).toEqual(Object.fromEntries(Object.entries(IMAGES).map(([name, centres]) => [name, centres.length])));
  });

  it('records the model id, version, weights sha256 and runtime with the run', async () => {
    const [run] = await store.listRuns('mask');
    expect(run?.tool.id).toBe('model.percentile-2d');
    expect(run?.tool.facts).toMatchObject({
      'model.id': 'percentile-2d',
      'model.version': run?.tool.version,
      'weights.format': 'onnx',
      'weights.sha256': weightsSha256,
      runtime: expect.stringMatching(/^onnxruntime-node \d+\.\d+\.\d+/),
    });
    expect(run?.tool.authors).toEqual(['BioImageIT test suite']);
  });

  it('exports an RO-Crate carrying the model facts, which passes its checks', async () => {
    const crateDir = join(dir.path, 'crate');
    const exported = await cli(ws, ['provenance', 'export', '-e', EXPERIMENT, '--ro-crate', crateDir, '--check']);
    expect(exported.code, exported.stderr).toBe(0);
    const crate = JSON.parse(await readFile(join(crateDir, 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
    expect(await checkRoCrate(crate, crateDir)).toEqual([]);
    const facts = new Map(crate['@graph'].filter((e) => e['@type'] === 'PropertyValue').map((e) => [e['name'] as string, e['value'] as string] as const));
    expect(facts.get('model.id')).toBe('percentile-2d');
    expect(facts.get('weights.sha256')).toBe(weightsSha256);
    expect(facts.get('runtime')).toMatch(/^onnxruntime-node /);
    expect(facts.has('model.version')).toBe(true);
  });

  it('serves the model tool with its authors, licence, citation and cover to the GUI', async () => {
    const server = await startServer({ kernel, port: 0, log: () => undefined });
    try {
      const base = server.url.replace(/\/$/, '');
      const tool = (await (await fetch(`${base}/api/tools/model.percentile-2d`)).json()) as Record<string, unknown>;
      expect(tool).toMatchObject({
        id: 'model.percentile-2d',
        categories: ['Deep learning'],
        authors: ['BioImageIT test suite'],
        cite: [expect.objectContaining({ text: 'BioImageIT test models (synthetic, not trained)' })],
        cover: '/api/tools/model.percentile-2d/cover',
      });
      expect(typeof tool['license']).toBe('string');
      // the tool list the Tools tab draws gives the model its cover, and other tools none
      const list = (await (await fetch(`${base}/api/tools`)).json()) as { id: string; cover?: string }[];
      expect(list.find((t) => t.id === 'model.percentile-2d')?.cover).toBe('/api/tools/model.percentile-2d/cover');
      expect(list.filter((t) => t.cover !== undefined).map((t) => t.id)).toEqual(['model.percentile-2d']);
      const cover = await fetch(`${base}/api/tools/model.percentile-2d/cover`);
      expect(cover.status).toBe(200);
      expect(cover.headers.get('content-type')).toBe('image/png');
      expect(
        Buffer.from(await cover.arrayBuffer())
          .subarray(1, 4)
          .toString('latin1'),
      ).toBe('PNG');
    } finally {
      await server.close();
    }
  });
});

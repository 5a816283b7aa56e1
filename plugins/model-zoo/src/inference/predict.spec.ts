import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTiffFileLayout, readTiffPixels, writeTiff } from '@bioimageit/core/formats';
import { buildTestModels, pythonOnnxMissing, TEST_MODEL_FACTS, type TestModelName } from '../test-support/test-models.js';
import { makeTensor, type Tensor } from '../tensor/tensor.js';
import { openOnnxSession, type InferencePackage } from './onnx-session.js';
import { compareTensors, predict, predictImage, testModel } from './predict.js';
import { openModelPackage, type ModelPackage } from '../package/model-package.js';

const skip = pythonOnnxMissing(import.meta.url);

/** A smooth random-ish volume (deterministic). */
function volume(shape: readonly number[], seed = 1): Tensor {
  const t = makeTensor('float32', shape);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    (t.data as Float32Array)[i] = Math.sin(i / 97) * 50 + (s / 2147483648) * 20 + 100;
  }
  return t;
}

const maxDiff = (a: Tensor, b: Tensor): number => compareTensors('x', a, b, 0, 0).maxAbsoluteError;

describe.skipIf(skip)('predict and testModel on the test packages', () => {
  let dir = '';
  let models: Record<TestModelName, string>;
  let bad: Record<string, string>;
  const opened = new Map<string, ModelPackage>();
  const pkg = (name: TestModelName): InferencePackage => opened.get(models[name]) as ModelPackage;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-inference-'));
    const built = buildTestModels(dir, { bad: true });
    models = { ...built.models };
    bad = { ...built.bad };
    for (const folder of [...Object.values(models), bad['wrong-test-output'] as string])
      opened.set(folder, await openModelPackage(folder, { cacheDir: path.join(dir, 'cache') }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['unet3d-halo', 'unet3d-halo-v0_4', 'two-channel-2d', 'percentile-2d'] as const)('testModel reproduces the outputs of %s', async (name) => {
    const started = performance.now();
    const report = await testModel(pkg(name), { intraOpNumThreads: 2 });
    const seconds = (performance.now() - started) / 1000;
    const facts = TEST_MODEL_FACTS[name];
    const voxels = facts.input.shape.reduce((a, b) => a * b, 1);
    console.log(`${name}: ${report.runtime}, ${JSON.stringify(report.outputs)}, ${(voxels / seconds).toExponential(2)} voxels/s (incl. session)`);
    expect(report.runtime).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(cpu\)$/);
    expect(report.passed).toBe(true);
    expect(report.outputs).toHaveLength(1);
    expect(report.outputs[0]).toMatchObject({ id: facts.output.id, mismatched: 0, elements: facts.output.shape.reduce((a, b) => a * b, 1) });
    expect(report.outputs[0]!.maxAbsoluteError).toBeLessThan(1e-4);
  });

  it('percentile-2d gives a uint8 mask of 0 and 1', async () => {
    const p = pkg('percentile-2d');
    const input = pkg('percentile-2d');
    const { readNpy } = await import('../tensor/npy.js');
    const { readFileSync } = await import('node:fs');
    const raw = readNpy(readFileSync(path.join(input.root, 'test_input.npy')));
    const out = await predict(p, { raw }, { intraOpNumThreads: 2 });
    expect(out['mask']!.dtype).toBe('uint8');
    expect(new Set(out['mask']!.data as Uint8Array)).toEqual(new Set([0, 1]));
  });

  it('the wrong-test-output package fails with every element counted', async () => {
    const report = await testModel(opened.get(bad['wrong-test-output'] as string) as ModelPackage, { intraOpNumThreads: 2 });
    expect(report.passed).toBe(false);
    expect(report.outputs[0]).toMatchObject({ id: 'probability', mismatched: 4096, elements: 4096 });
    expect(report.outputs[0]!.maxAbsoluteError).toBeCloseTo(0.25, 4);
  });

  it('tiled inference of a volume 10× the tile equals whole-image inference within 1e-5', async () => {
    const p = pkg('unet3d-halo');
    const raw = volume([1, 1, 40, 96, 128]);
    const session = await openOnnxSession(p, { intraOpNumThreads: 2 });
    try {
      let wholeTiles = 0;
      let tiledTiles = 0;
      let started = performance.now();
      const whole = await predict(p, { raw }, { session, maxTileVoxels: 1 << 24, onTile: (_, n) => (wholeTiles = n) });
      const wholeSeconds = (performance.now() - started) / 1000;
      started = performance.now();
      const tiled = await predict(p, { raw }, { session, maxTileVoxels: 49152, onTile: (_, n) => (tiledTiles = n) });
      const tiledSeconds = (performance.now() - started) / 1000;
      const voxels = 40 * 96 * 128;
      console.log(
        `unet3d-halo ${String(voxels)} voxels: whole (${String(wholeTiles)} tile) ${(voxels / wholeSeconds).toExponential(2)} voxels/s, tiled (${String(tiledTiles)} tiles of ≤ 49152) ${(voxels / tiledSeconds).toExponential(2)} voxels/s`,
      );
      expect(wholeTiles).toBe(1);
      expect(tiledTiles).toBeGreaterThanOrEqual(10);
      expect(tiled['prediction']!.shape).toEqual([1, 1, 40, 96, 128]);
      expect(maxDiff(tiled['prediction']!, whole['prediction']!)).toBeLessThanOrEqual(1e-5);
      // a user tile size, rounded to valid sizes (z 8+4k, y/x 16+8k)
      const user = await predict(p, { raw }, { session, tileShape: { z: 13, y: 30, x: 30 } });
      expect(maxDiff(user['prediction']!, whole['prediction']!)).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.close();
    }
  });

  it('tiles two-channel-2d and percentile-2d (postprocessing statistics of the whole output) like the whole image', async () => {
    const p = pkg('percentile-2d');
    const raw8 = makeTensor('uint8', [1, 1, 200, 176]);
    for (let i = 0; i < raw8.data.length; i++) raw8.data[i] = (Math.sin(i / 13) * 60 + 100 + ((i * 7919) % 37)) & 0xff;
    const whole = await predict(p, { raw: raw8 }, { intraOpNumThreads: 2 });
    const tiled = await predict(p, { raw: raw8 }, { intraOpNumThreads: 2, maxTileVoxels: 48 * 48 });
    expect(maxDiff(tiled['mask']!, whole['mask']!)).toBe(0);
  });

  it('pads an image smaller than the minimum size and crops the outputs back', async () => {
    const p = pkg('unet3d-halo');
    const raw = volume([1, 1, 3, 10, 11], 7);
    const out = await predict(p, { raw }, { intraOpNumThreads: 2 });
    expect(out['prediction']!.shape).toEqual([1, 1, 3, 10, 11]);
    expect([...(out['prediction']!.data as Float32Array)].every(Number.isFinite)).toBe(true);
  });

  it('rejects a channel count the model does not take', async () => {
    const p = pkg('two-channel-2d');
    await expect(predict(p, { image: makeTensor('uint16', [1, 3, 64, 64]) })).rejects.toMatchObject({ code: 'BAD_PARAMETER', message: /'c' must have size 2/ });
  });

  it('predictImage streams a TZYX TIFF through unet3d-halo (one sample per time point) as predict does', async () => {
    const p = pkg('unet3d-halo');
    const frames = [volume([1, 1, 12, 40, 48], 3), volume([1, 1, 12, 40, 48], 4)];
    const data = new Float32Array(2 * 12 * 40 * 48);
    frames.forEach((f, t) => data.set(f.data as Float32Array, t * f.data.length));
    const input = path.join(dir, 'series.ome.tif');
    const output = path.join(dir, 'prediction.ome.tif');
    await writeTiff(input, { data, shape: [2, 12, 40, 48], dtype: 'float32', axes: 'TZYX' }, { ome: true });
    let progress = 0;
    const result = await predictImage(p, { raw: { path: input } }, { prediction: output }, { threads: 2, tile: 24, onProgress: (f) => (progress = f) });
    expect(progress).toBeCloseTo(1);
    expect(result.samples).toBe(2);
    expect(result.tilesPerSample).toBeGreaterThan(1);
    expect(result.outputs['prediction']).toMatchObject({ axes: 'TZYX', shape: [2, 12, 40, 48], dtype: 'float32' });
    expect(readTiffFileLayout(output).metadata).toMatchObject({ axes: 'TZYX', shape: [2, 12, 40, 48], ome: true });
    for (const [t, frame] of frames.entries()) {
      const expected = (await predict(p, { raw: frame }, { intraOpNumThreads: 2 }))['prediction']!;
      const written = await readTiffPixels(output, { select: { T: t } });
      expect(maxDiff(makeTensor('float32', [1, 1, 12, 40, 48], written.data as Float32Array), expected)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('predictImage writes percentile-2d on a YX image as a uint8 YX mask', async () => {
    const p = pkg('percentile-2d');
    const data = new Uint8Array(70 * 90);
    for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i / 11) * 60 + 100) & 0xff;
    const input = path.join(dir, 'plane.tif');
    const output = path.join(dir, 'mask.ome.tif');
    await writeTiff(input, { data, shape: [70, 90], dtype: 'uint8', axes: 'YX' });
    const result = await predictImage(p, { raw: { path: input } }, { mask: output }, { threads: 2 });
    expect(result.outputs['mask']).toMatchObject({ axes: 'YX', shape: [70, 90], dtype: 'uint8' });
    const expected = (await predict(p, { raw: makeTensor('uint8', [1, 1, 70, 90], data) }, { intraOpNumThreads: 2 }))['mask']!;
    const written = await readTiffPixels(output);
    expect(maxDiff(makeTensor('uint8', [1, 1, 70, 90], written.data as Uint8Array), expected)).toBe(0);
  });
});

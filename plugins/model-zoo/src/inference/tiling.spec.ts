import { describe, expect, it } from 'vitest';
import type { AxisDescription, ModelDescription, TensorDescription } from '../model-description.js';
import { planTiles, validSizeAtLeast } from './tiling.js';

const space = (id: string, size: AxisDescription['size'], halo?: number): AxisDescription => ({ id, type: 'space', size, ...(halo !== undefined && { halo }) });
const ref = (axis: string, halo: number): AxisDescription => space(axis, { reference: { tensor: 'raw', axis }, scale: 1, offset: 0 }, halo);
const tensor = (id: string, axes: AxisDescription[]): TensorDescription => ({
  id,
  description: '',
  axes,
  dataType: 'float32',
  preprocessing: [],
  postprocessing: [],
  testTensor: '',
});
const model = (inputAxes: AxisDescription[], outputAxes: AxisDescription[]): ModelDescription => ({
  formatVersion: '0.5.4',
  id: 'm',
  name: 'm',
  version: '0',
  description: '',
  authors: [],
  maintainers: [],
  license: 'MIT',
  cite: [],
  tags: [],
  covers: [],
  inputs: [tensor('raw', inputAxes)],
  outputs: [tensor('out', outputAxes)],
  weights: [],
  tolerance: { relative: 1e-4, absolute: 1e-4, mismatchedElementsPerMillion: 0 },
});
const b: AxisDescription = { id: 'b', type: 'batch', size: 1 };
const c: AxisDescription = { id: 'c', type: 'channel', size: 1 };
const zyx = model(
  [b, c, space('z', { min: 8, step: 4 }), space('y', { min: 16, step: 8 }), space('x', { min: 16, step: 8 })],
  [b, c, ref('z', 2), ref('y', 2), ref('x', 2)],
);

/** How many times each output voxel is pasted. */
function coverage(plan: ReturnType<typeof planTiles>, shape: number[]): Uint8Array {
  const hits = new Uint8Array(shape.reduce((p, s) => p * s, 1));
  for (const tile of plan.tiles) {
    const { from, at } = tile.outputs['out']!;
    const [, , dz, dy, dx] = from.shape as [number, number, number, number, number];
    for (let z = 0; z < dz; z++)
      for (let y = 0; y < dy; y++) for (let x = 0; x < dx; x++) hits[((at[2]! + z) * shape[3]! + at[3]! + y) * shape[4]! + at[4]! + x]!++;
  }
  return hits;
}

describe('planTiles', () => {
  it('rounds sizes up to valid ones', () => {
    expect(validSizeAtLeast({ min: 16, step: 8 }, 30)).toBe(32);
    expect(validSizeAtLeast({ min: 16, step: 8 }, 3)).toBe(16);
    expect(validSizeAtLeast(64, 10)).toBe(64);
    expect(validSizeAtLeast({ min: 16, step: 0 }, 40)).toBe(16);
  });

  it('uses one window when the sample fits the budget, padded to a valid size', () => {
    const plan = planTiles(zyx, { raw: [1, 1, 10, 20, 33] });
    expect(plan.tiles).toHaveLength(1);
    expect(plan.tiles[0]!.inputs['raw']).toEqual({ start: [0, 0, 0, 0, 0], shape: [1, 1, 12, 24, 40] });
    expect(plan.tiles[0]!.outputs['out']).toEqual({ from: { start: [0, 0, 0, 0, 0], shape: [1, 1, 10, 20, 33] }, at: [0, 0, 0, 0, 0] });
    expect(plan.outputShapes['out']).toEqual([1, 1, 10, 20, 33]);
  });

  it('shrinks the largest axis to fit maxTileVoxels, overlaps by the halo and covers every voxel once', () => {
    const shape = [1, 1, 40, 96, 128];
    const plan = planTiles(zyx, { raw: shape }, { maxTileVoxels: 49152 });
    for (const axis of plan.axes) expect(axis.halo).toBe(2);
    expect(plan.axes.reduce((p, a) => p * a.window, 1)).toBeLessThanOrEqual(49152);
    expect(plan.tiles.length).toBeGreaterThanOrEqual(10);
    expect(coverage(plan, shape).every((h) => h === 1)).toBe(true);
    for (const tile of plan.tiles) {
      const box = tile.inputs['raw']!;
      box.start.forEach((s, a) => expect(s >= 0 && s + box.shape[a]! <= shape[a]!).toBe(true));
      const { from } = tile.outputs['out']!;
      // pasted voxels keep the halo from window edges inside the sample
      for (const a of [2, 3, 4]) {
        if (box.start[a]! > 0) expect(from.start[a]).toBeGreaterThanOrEqual(2);
        if (box.start[a]! + box.shape[a]! < shape[a]!) expect(box.shape[a]! - from.start[a]! - from.shape[a]!).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('takes a user tile shape rounded up to valid sizes', () => {
    const plan = planTiles(zyx, { raw: [1, 1, 40, 96, 128] }, { tileShape: { z: 13, y: 30, x: 30 } });
    expect(plan.axes.map((a) => a.window)).toEqual([16, 32, 32]);
    expect(coverage(plan, [1, 1, 40, 96, 128]).every((h) => h === 1)).toBe(true);
  });

  it('rejects a sample with the wrong rank or channel count', () => {
    expect(() => planTiles(zyx, { raw: [1, 40, 96, 128] })).toThrow(/input 'raw' has axes bczyx but the sample has 4 dimensions/);
    expect(() => planTiles(zyx, { raw: [1, 2, 40, 96, 128] })).toThrow(/input 'raw' axis 'c' must have size 1, the sample has 2/);
  });

  it('rejects a window too small for its halo', () => {
    const tiny = model([b, c, space('y', 4), space('x', 4)], [b, c, ref('y', 2), ref('x', 2)]);
    expect(() => planTiles(tiny, { raw: [1, 1, 10, 10] })).toThrow(/too small for its halos of 2/);
  });
});

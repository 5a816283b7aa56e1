import { describe, expect, it } from 'vitest';
import { labelComponents, neighbourOffsets } from '../tools/lib/connected-components.mjs';
import { blurPlanes, gaussianBlur, gaussianKernel } from '../tools/lib/gaussian-blur.mjs';
import { summarizeObjectTable, summaryTableRows, objectTableRows } from '../tools/lib/object-tables.mjs';
import { otsuThreshold, thresholdMask } from '../tools/lib/otsu-threshold.mjs';
import { convertToDtype } from '../tools/lib/pixel-planes.mjs';
import { seededRandom } from './demo/synthetic-plate.js';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const mean = (a: ArrayLike<number>) => sum(a) / a.length;

describe('gaussian blur', () => {
  it('has normalized, symmetric weights truncated at 3 sigma; sigma 0 is the identity', () => {
    const k = gaussianKernel(2);
    expect(k.length).toBe(13);
    expect(sum(k)).toBeCloseTo(1, 12);
    expect(k[0]).toBeCloseTo(k[12] as number, 15);
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
    expect(() => gaussianKernel(-1)).toThrow(/sigma/);
  });

  it('preserves the mean: exactly for a constant image and a centred spot, closely for noise', () => {
    const constant = blurPlanes(new Float64Array(2 * 9 * 11).fill(42), 2, 9, 11, 1.7);
    expect(Array.from(constant).every((v) => Math.abs(v - 42) < 1e-9)).toBe(true);
    const spot = new Float64Array(31 * 31);
    spot[15 * 31 + 15] = 1000;
    const blurred = blurPlanes(spot, 1, 31, 31, 2);
    expect(sum(blurred)).toBeCloseTo(1000, 6);
    expect(blurred[15 * 31 + 15]).toBeLessThan(100);
    const random = seededRandom(7);
    const noise = Float64Array.from({ length: 3 * 40 * 40 }, () => random() * 1000);
    expect(mean(blurPlanes(noise, 3, 40, 40, 1.5))).toBeCloseTo(mean(noise), 0);
  });

  it('keeps planes apart and keeps the pixel type, rounding and clamping integers', () => {
    const data = new Uint16Array(2 * 4 * 4);
    data.fill(65535, 16);
    const out = gaussianBlur({ data, shape: [2, 4, 4], dtype: 'uint16', axes: 'ZYX' }, 1);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(out.data.slice(0, 16)).every((v) => v === 0)).toBe(true);
    expect(Array.from(out.data.slice(16)).every((v) => v === 65535)).toBe(true);
    expect(out.shape).toEqual([2, 4, 4]);
    expect(Array.from(convertToDtype([-3, 2.6, 300], 'uint8'))).toEqual([0, 3, 255]);
    expect(() => gaussianBlur({ data: new Uint8Array(12), shape: [2, 2, 3], dtype: 'uint8', axes: 'YXS' }, 1)).toThrow(/axes 'YXS'/);
  });
});

describe('Otsu threshold', () => {
  it('splits a bimodal image between its modes', () => {
    const random = seededRandom(3);
    const data = new Uint16Array(10_000);
    let bright = 0;
    for (let i = 0; i < data.length; i++) {
      const high = random() < 0.3;
      bright += high ? 1 : 0;
      data[i] = Math.round((high ? 200 : 20) + (random() - 0.5) * 30);
    }
    const t = otsuThreshold(data);
    expect(t).toBeGreaterThanOrEqual(35);
    expect(t).toBeLessThan(185);
    expect(Math.abs(t - 110)).toBeLessThan(30);
    expect(sum(thresholdMask(data, t)) / 255).toBe(bright);
  });

  it('handles float data, and a constant image has no foreground', () => {
    const data = Float32Array.from([0.1, 0.12, 0.11, 0.9, 0.95, 0.1]);
    const t = otsuThreshold(data);
    expect(t).toBeGreaterThan(0.12);
    expect(t).toBeLessThan(0.9);
    expect(Array.from(thresholdMask(data, t))).toEqual([0, 0, 0, 255, 255, 0]);
    const flat = new Uint8Array(10).fill(7);
    expect(sum(thresholdMask(flat, otsuThreshold(flat)))).toBe(0);
  });
});

describe('connected components', () => {
  it('has 4/8 neighbours in 2-D and 6/26 in 3-D', () => {
    expect([neighbourOffsets(false, 'face').length, neighbourOffsets(false, 'full').length]).toEqual([4, 8]);
    expect([neighbourOffsets(true, 'face').length, neighbourOffsets(true, 'full').length]).toEqual([6, 26]);
  });

  it('counts a known 2-D mask with each connectivity', () => {
    // prettier-ignore
    const mask = Uint8Array.from([
      1, 1, 0, 0, 0,
      1, 0, 0, 1, 1,
      0, 1, 0, 1, 1,
      0, 0, 0, 0, 0,
      1, 0, 0, 0, 1,
    ]);
    const face = labelComponents(mask, { depth: 1, height: 5, width: 5, connectivity: 'face' });
    expect(face.objects.map((o) => o.voxels)).toEqual([3, 4, 1, 1, 1]);
    expect(face.objects[1]).toMatchObject({ label: 2, z: 0, y: 1.5, x: 3.5 });
    const full = labelComponents(mask, { depth: 1, height: 5, width: 5, connectivity: 'full' });
    expect(full.objects.map((o) => o.voxels)).toEqual([4, 4, 1, 1]);
    const big = labelComponents(mask, { depth: 1, height: 5, width: 5, connectivity: 'full', minSize: 2 });
    expect(big.objects.map((o) => [o.label, o.voxels])).toEqual([
      [1, 4],
      [2, 4],
    ]);
    expect(Array.from(big.labels.slice(20))).toEqual([0, 0, 0, 0, 0]);
  });

  it('joins planes in 3-D: a corner contact joins with 26-connectivity only', () => {
    const mask = new Uint8Array(2 * 3 * 3);
    mask[0] = 255; // z0 y0 x0
    mask[9 + 4] = 255; // z1 y1 x1: touches only by a corner
    mask[9 + 8] = 255; // z1 y2 x2: touches the previous one by an edge in-plane
    expect(labelComponents(mask, { depth: 2, height: 3, width: 3, connectivity: 'face' }).objects).toHaveLength(3);
    const full = labelComponents(mask, { depth: 2, height: 3, width: 3, connectivity: 'full' }).objects;
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ voxels: 3, z: 2 / 3, y: 1, x: 1 });
  });
});

describe('object tables', () => {
  it('writes object rows and summarizes them', () => {
    const rows = objectTableRows([
      { label: 1, voxels: 10, z: 1, y: 2.5, x: 3.12345 },
      { label: 2, voxels: 20, z: 0, y: 0, x: 0 },
    ]);
    expect(rows).toEqual([
      ['label', 'voxels', 'centroid_z', 'centroid_y', 'centroid_x'],
      ['1', '10', '1', '2.5', '3.123'],
      ['2', '20', '0', '0', '0'],
    ]);
    expect(summarizeObjectTable(rows, 'a.csv')).toEqual({ objects: 2, meanSize: 15 });
    expect(summarizeObjectTable([rows[0] as string[]], 'empty.csv')).toEqual({ objects: 0, meanSize: NaN });
    expect(
      summaryTableRows([
        { input: 'a', objects: 2, meanSize: 15 },
        { input: 'empty', objects: 0, meanSize: NaN },
      ]),
    ).toEqual([
      ['input', 'objects', 'mean_size'],
      ['a', '2', '15'],
      ['empty', '0', ''],
    ]);
    expect(() => summarizeObjectTable([['x', 'y']], 'other.csv')).toThrow("other.csv: not an object table (no 'voxels' column in the header)");
  });
});

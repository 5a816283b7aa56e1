import { describe, expect, it } from 'vitest';
import { displayRange, percentile, stretchToBytes } from './contrast-stretch.js';

describe('contrast stretch', () => {
  it('finds percentiles by linear interpolation between ranks (as numpy does)', () => {
    const sorted = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(percentile(sorted, 0.1)).toBeCloseTo(0.999, 9);
    expect(percentile(sorted, 99.9)).toBeCloseTo(998.001, 9);
    expect(percentile(sorted, 50)).toBeCloseTo(499.5, 9);
    expect(percentile([5], 99.9)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });

  it('stretches the 0.1–99.9 percentile range of a known array onto 0–255, clamping outliers', () => {
    const values = Float32Array.from({ length: 100_000 }, (_, i) => i);
    values[0] = -1e6;
    values[99_999] = 1e9;
    const range = displayRange(values, 0.1, 99.9) as { low: number; high: number };
    expect(range.low).toBeCloseTo(99.999, 3);
    expect(range.high).toBeCloseTo(99_899.001, 1);
    const bytes = stretchToBytes(values, range);
    expect([bytes[0], bytes[99], bytes[99_900], bytes[99_999]]).toEqual([0, 0, 255, 255]);
    expect(bytes[50_000]).toBe(Math.round(((50_000 - range.low) / (range.high - range.low)) * 255));
  });

  it('falls back to the minimum and maximum for a sparse mask, and draws a flat image black', () => {
    const mask = new Float32Array(10_000);
    mask[42] = 1;
    expect(displayRange(mask, 0.1, 99.9)).toEqual({ low: 0, high: 1 });
    expect(stretchToBytes(mask, displayRange(mask, 0.1, 99.9))[42]).toBe(255);
    const flat = new Float32Array(16).fill(7);
    expect([...stretchToBytes(flat, displayRange(flat, 0.1, 99.9))]).toEqual(new Array(16).fill(0));
  });

  it('ignores non-finite values in the range and draws NaN black', () => {
    const values = Float32Array.from([NaN, 0, 10, Infinity, -Infinity]);
    const range = displayRange(values, 0, 100);
    expect(range).toEqual({ low: 0, high: 10 });
    expect([...stretchToBytes(values, range)]).toEqual([0, 0, 255, 255, 0]);
    expect(displayRange(Float32Array.from([NaN]), 0.1, 99.9)).toBeUndefined();
  });
});

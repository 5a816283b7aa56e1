import { describe, expect, it } from 'vitest';
import { maxProjectZ } from './max-projection.js';

describe('maxProjectZ', () => {
  it('keeps the largest value of each column along Z', () => {
    // 3 planes of 2×3
    const data = Uint16Array.from([1, 9, 3, 4, 5, 6, 7, 2, 3, 1, 8, 0, 0, 0, 10, 2, 2, 7]);
    expect(Array.from(maxProjectZ({ data, shape: [3, 2, 3] }))).toEqual([7, 9, 10, 4, 8, 7]);
  });

  it('projects a single plane to itself, as float32', () => {
    const out = maxProjectZ({ data: [1.5, -2, 3], shape: [1, 1, 3] });
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([1.5, -2, 3]);
  });

  it('passes over NaN, and keeps NaN only for columns that hold nothing else', () => {
    const data = Float64Array.from([NaN, 1, NaN, 2, NaN, NaN, NaN, 0, NaN]);
    const out = maxProjectZ({ data, shape: [3, 1, 3] });
    expect(out[0]).toBe(2);
    expect(out[1]).toBe(1);
    expect(out[2]).toBeNaN();
  });

  it('handles negative values (no zero floor)', () => {
    expect(Array.from(maxProjectZ({ data: [-5, -3, -4, -9], shape: [2, 1, 2] }))).toEqual([-4, -3]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => maxProjectZ({ data: new Float32Array(10), shape: [2, 2, 3] })).toThrow(RangeError);
    expect(() => maxProjectZ({ data: new Float32Array(0), shape: [0, 2, 3] })).toThrow(/positive sizes/);
  });

  it('projects a 64×256×256 volume quickly', () => {
    const data = new Float32Array(64 * 256 * 256);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) % 1000;
    const start = performance.now();
    const out = maxProjectZ({ data, shape: [64, 256, 256] });
    expect(performance.now() - start).toBeLessThan(2000); // ~20 ms on one core; generous for shared CI machines
    expect(out.length).toBe(256 * 256);
  });
});

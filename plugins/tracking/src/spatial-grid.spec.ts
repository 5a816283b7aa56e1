import { describe, expect, it } from 'vitest';
import { SpatialGrid } from './spatial-grid.js';

describe('SpatialGrid', () => {
  it('finds exactly the members within the radius (inclusive), as brute force does', () => {
    let seed = 17;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 2000;
    const xs = Float64Array.from({ length: n }, () => random() * 30 - 10);
    const ys = Float64Array.from({ length: n }, () => random() * 30);
    const zs = Float64Array.from({ length: n }, () => random() * 3);
    // Only the even points are members; a point exactly on the radius counts.
    const members = Int32Array.from({ length: n / 2 }, (_, k) => 2 * k);
    xs[0] = 0;
    ys[0] = 0;
    zs[0] = 0;
    xs[2] = 1.5;
    ys[2] = 0;
    zs[2] = 0;
    for (const cellSize of [0.7, 1.5, 50]) {
      const grid = new SpatialGrid(xs, ys, zs, members, cellSize);
      expect(grid.size).toBe(n / 2);
      for (let q = 0; q < 200; q++) {
        const [x, y, z] = q === 0 ? [0, 0, 0] : [random() * 34 - 12, random() * 34 - 2, random() * 3];
        const radius = q === 0 ? 1.5 : 0.3 + random() * 2;
        const got: number[] = [];
        grid.within(x, y, z, radius, (i, d2) => {
          expect(d2).toBeCloseTo((xs[i]! - x) ** 2 + (ys[i]! - y) ** 2 + (zs[i]! - z) ** 2, 12);
          got.push(i);
        });
        const want = Array.from(members).filter((i) => (xs[i]! - x) ** 2 + (ys[i]! - y) ** 2 + (zs[i]! - z) ** 2 <= radius * radius);
        expect(got.sort((a, b) => a - b)).toEqual(want);
        if (q === 0) expect(want).toContain(2);
      }
    }
  });

  it('coarsens cells for a sparse cloud and handles an empty one', () => {
    const xs = Float64Array.from([0, 1e6]);
    const grid = new SpatialGrid(xs, new Float64Array(2), new Float64Array(2), Int32Array.from([0, 1]), 0.01);
    const found: number[] = [];
    grid.within(1e6, 0, 0, 1, (i) => found.push(i));
    expect(found).toEqual([1]);
    const empty = new SpatialGrid(xs, new Float64Array(2), new Float64Array(2), new Int32Array(0), 1);
    empty.within(0, 0, 0, 10, () => expect.fail('no members'));
    expect(() => new SpatialGrid(xs, xs, xs, new Int32Array(0), 0)).toThrow(RangeError);
  });
});

import { seededRandom } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { solveAssignment, solveSparseAssignment } from './lap-solver.js';

interface Best {
  count: number;
  cost: number;
}

/** Every partial injection rows → cols over allowed pairs; `score` ranks them (lower is better). */
function bruteForce(rows: number, cols: number, allowed: (r: number, c: number) => number, score: (count: number, cost: number, used: number) => number): Best {
  let best: Best = { count: 0, cost: 0 };
  let bestScore = Infinity;
  const used = new Uint8Array(cols);
  const visit = (r: number, count: number, cost: number): void => {
    if (r === rows) {
      const s = score(count, cost, count);
      if (s < bestScore - 1e-12) {
        bestScore = s;
        best = { count, cost };
      }
      return;
    }
    visit(r + 1, count, cost);
    for (let c = 0; c < cols; c++) {
      const v = allowed(r, c);
      if (used[c] || !Number.isFinite(v)) continue;
      used[c] = 1;
      visit(r + 1, count + 1, cost + v);
      used[c] = 0;
    }
  };
  visit(0, 0, 0);
  return best;
}

function checkValid(assign: Int32Array, cols: number, cost: (r: number, c: number) => number): Best {
  const seen = new Set<number>();
  let total = 0;
  let count = 0;
  assign.forEach((c, r) => {
    if (c < 0) return;
    expect(c).toBeLessThan(cols);
    expect(seen.has(c)).toBe(false);
    seen.add(c);
    const v = cost(r, c);
    expect(Number.isFinite(v)).toBe(true);
    total += v;
    count++;
  });
  return { count, cost: total };
}

describe('solveAssignment', () => {
  it('solves a textbook 3×3 case', () => {
    const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    expect(Array.from(solveAssignment(cost, 3, 3))).toEqual([1, 0, 2]);
  });

  it('handles empty and fully forbidden matrices', () => {
    expect(solveAssignment(new Float64Array(0), 0, 4).length).toBe(0);
    expect(Array.from(solveAssignment(new Float64Array(0), 2, 0))).toEqual([-1, -1]);
    expect(Array.from(solveAssignment(new Float64Array(4).fill(Infinity), 2, 2))).toEqual([-1, -1]);
  });

  it('rejects a wrong length and -Infinity', () => {
    expect(() => solveAssignment(new Float64Array(5), 2, 3)).toThrow(RangeError);
    expect(() => solveAssignment(Float64Array.from([0, -Infinity]), 1, 2)).toThrow(RangeError);
  });

  it('prefers more assignments over a cheaper total (maximum cardinality first)', () => {
    // Row 0 could take column 0 cheaply, but then row 1 (which only accepts column 0) would be left out.
    const cost = Float64Array.from([1, 100, 5, Infinity]);
    expect(Array.from(solveAssignment(cost, 2, 2))).toEqual([1, 0]);
  });

  it('matches brute force on random square, rectangular and forbidden-entry matrices', () => {
    const random = seededRandom(42);
    for (let trial = 0; trial < 400; trial++) {
      const rows = 1 + Math.floor(random() * 6);
      const cols = 1 + Math.floor(random() * 6);
      const forbidProbability = trial % 4 === 0 ? 0 : random() * 0.7;
      const negative = trial % 5 === 0;
      const cost = new Float64Array(rows * cols);
      for (let k = 0; k < cost.length; k++) {
        cost[k] = random() < forbidProbability ? Infinity : Math.round((negative ? random() - 0.5 : random()) * 1000) / 10;
      }
      const at = (r: number, c: number): number => cost[r * cols + c]!;
      const got = checkValid(solveAssignment(cost, rows, cols), cols, at);
      const best = bruteForce(rows, cols, at, (count, total) => -count * 1e9 + total);
      expect({ trial, ...got, cost: Math.round(got.cost * 1e6) }).toEqual({ trial, ...best, cost: Math.round(best.cost * 1e6) });
    }
  });

  it('is exact on ties and large magnitudes', () => {
    const cost = new Float64Array(16).fill(1e12);
    expect(new Set(solveAssignment(cost, 4, 4)).size).toBe(4);
  });
});

describe('solveSparseAssignment', () => {
  function randomSparse(random: () => number, rows: number, cols: number, density: number) {
    const r: number[] = [];
    const c: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++)
        if (random() < density) {
          r.push(i);
          c.push(j);
          w.push(Math.round(random() * 100));
        }
    return { rows, cols, edgeRows: Int32Array.from(r), edgeCols: Int32Array.from(c), edgeCosts: Float64Array.from(w) };
  }

  it('agrees with the dense solver without alternatives', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const p = randomSparse(random, 1 + Math.floor(random() * 7), 1 + Math.floor(random() * 7), 0.3);
      const dense = new Float64Array(p.rows * p.cols).fill(Infinity);
      p.edgeRows.forEach((r, k) => (dense[r * p.cols + p.edgeCols[k]!] = p.edgeCosts[k]!));
      const at = (r: number, c: number): number => dense[r * p.cols + c]!;
      const a = checkValid(solveSparseAssignment(p), p.cols, at);
      const b = checkValid(solveAssignment(dense, p.rows, p.cols), p.cols, at);
      expect(a).toEqual(b);
    }
  });

  it('matches brute force with "no link" alternative costs', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 300; trial++) {
      const p = randomSparse(random, 1 + Math.floor(random() * 6), 1 + Math.floor(random() * 6), 0.5);
      const rowAlt = Float64Array.from({ length: p.rows }, () => Math.round(random() * 60));
      const colAlt = trial % 2 === 0 ? 25 : Float64Array.from({ length: p.cols }, () => Math.round(random() * 60));
      const colAltAt = (c: number): number => (typeof colAlt === 'number' ? colAlt : colAlt[c]!);
      const dense = new Float64Array(p.rows * p.cols).fill(Infinity);
      p.edgeRows.forEach((r, k) => (dense[r * p.cols + p.edgeCols[k]!] = p.edgeCosts[k]!));
      const at = (r: number, c: number): number => dense[r * p.cols + c]!;
      const assign = solveSparseAssignment({ ...p, rowAlternative: rowAlt, colAlternative: colAlt });
      checkValid(assign, p.cols, at);
      const totalOf = (a: Int32Array): number => {
        let t = 0;
        const taken = new Set<number>();
        a.forEach((c, r) => {
          if (c < 0) t += rowAlt[r]!;
          else {
            t += at(r, c);
            taken.add(c);
          }
        });
        for (let c = 0; c < p.cols; c++) if (!taken.has(c)) t += colAltAt(c);
        return t;
      };
      // Brute force over partial matchings: total = links + alternatives of the unassigned.
      let best = Infinity;
      const cur = new Int32Array(p.rows).fill(-1);
      const used = new Uint8Array(p.cols);
      const visit = (r: number): void => {
        if (r === p.rows) {
          best = Math.min(best, totalOf(cur));
          return;
        }
        cur[r] = -1;
        visit(r + 1);
        for (let c = 0; c < p.cols; c++) {
          if (used[c] || !Number.isFinite(at(r, c))) continue;
          used[c] = 1;
          cur[r] = c;
          visit(r + 1);
          cur[r] = -1;
          used[c] = 0;
        }
      };
      visit(0);
      expect(totalOf(assign)).toBeCloseTo(best, 9);
    }
  });

  it('keeps the cheaper of duplicate edges and ignores non-finite ones', () => {
    const p = { rows: 1, cols: 2, edgeRows: Int32Array.from([0, 0, 0]), edgeCols: Int32Array.from([0, 0, 1]), edgeCosts: Float64Array.from([9, 1, Infinity]) };
    expect(Array.from(solveSparseAssignment({ ...p, rowAlternative: 3, colAlternative: 0 }))).toEqual([0]);
  });

  it('rejects malformed edges', () => {
    const bad = { rows: 1, cols: 1, edgeRows: Int32Array.from([0]), edgeCols: Int32Array.from([1]), edgeCosts: Float64Array.from([1]) };
    expect(() => solveSparseAssignment(bad)).toThrow(RangeError);
    expect(() => solveSparseAssignment({ ...bad, edgeCols: Int32Array.from([0, 0]) })).toThrow(RangeError);
  });

  it('solves 1,000 × 1,000 gated points quickly', () => {
    const random = seededRandom(3);
    const n = 1000;
    const size = 100;
    const xs = Float64Array.from({ length: n }, () => random() * size);
    const ys = Float64Array.from({ length: n }, () => random() * size);
    const tx = xs.map((x) => x + (random() - 0.5));
    const ty = ys.map((y) => y + (random() - 0.5));
    const r: number[] = [];
    const c: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const d2 = (xs[i]! - tx[j]!) ** 2 + (ys[i]! - ty[j]!) ** 2;
        if (d2 <= 4) {
          r.push(i);
          c.push(j);
          w.push(d2);
        }
      }
    const start = performance.now();
    const assign = solveSparseAssignment({ rows: n, cols: n, edgeRows: Int32Array.from(r), edgeCols: Int32Array.from(c), edgeCosts: Float64Array.from(w) });
    const elapsed = performance.now() - start;
    expect(elapsed).toBeLessThan(1000);
    let identity = 0;
    assign.forEach((j, i) => (identity += j === i ? 1 : 0));
    expect(identity).toBeGreaterThan(950);
  });
});

/**
 * The cost scheme shared by the LAP tracker's two steps (frame-to-frame linking and segment linking),
 * after Jaqaman et al. 2008 as TrackMate implements it: gated candidate links, a "no link"
 * alternative cost derived from the accepted costs, solved as one sparse assignment.
 */
import { solveSparseAssignment } from './lap-solver.js';

/** A growable list of candidate links (row, column, cost) in typed arrays. */
export class CandidateLinks {
  rows = new Int32Array(256);
  cols = new Int32Array(256);
  costs = new Float64Array(256);
  length = 0;

  /** Appends one candidate link. */
  add(row: number, col: number, cost: number): void {
    if (this.length === this.rows.length) {
      const grow = this.length * 2;
      this.rows = copyInto(new Int32Array(grow), this.rows);
      this.cols = copyInto(new Int32Array(grow), this.cols);
      this.costs = copyInto(new Float64Array(grow), this.costs);
    }
    this.rows[this.length] = row;
    this.cols[this.length] = col;
    this.costs[this.length] = cost;
    this.length++;
  }

  /** Forgets every link, keeping the storage. */
  clear(): void {
    this.length = 0;
  }
}

function copyInto<T extends Int32Array | Float64Array>(target: T, source: T): T {
  target.set(source);
  return target;
}

/**
 * The `p`-quantile (0 < p ≤ 1) of `values[0..length)` by linear interpolation between order
 * statistics. Does not modify `values`.
 */
export function percentile(values: Float64Array, length: number, p: number): number {
  if (length === 0) return NaN;
  const sorted = values.slice(0, length).sort();
  const position = Math.min(Math.max(p, 0), 1) * (length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, length - 1);
  return sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Parameters of the "no link" alternative. */
export interface AlternativeCostScheme {
  /** Multiplies the cutoff percentile of the accepted costs (TrackMate: 1.05). */
  readonly alternativeCostFactor: number;
  /** Percentile of the accepted costs the alternative is based on, in (0, 1] (TrackMate: 0.9). */
  readonly cutoffPercentile: number;
}

/**
 * Chooses links among `candidates` between `rows` sources and `cols` targets, each used at most
 * once, minimising the total cost of the augmented LAP of Jaqaman et al.: a source or target left
 * unlinked costs the alternative `b = factor · percentile(costs)`, and each link also pays the
 * smallest candidate cost (the lower-right block of the augmented matrix, which TrackMate fills
 * with it). Equivalently a link is worth taking when `cost + min − 2b` is negative. When the
 * percentile is 0, `b` becomes a quarter of the smallest positive cost, so that free links are made.
 *
 * @returns for each row, the chosen column, or -1.
 */
export function chooseLinks(candidates: CandidateLinks, rows: number, cols: number, scheme: AlternativeCostScheme): Int32Array {
  const n = candidates.length;
  if (n === 0) return new Int32Array(rows).fill(-1);
  let alternative = scheme.alternativeCostFactor * percentile(candidates.costs, n, scheme.cutoffPercentile);
  let minCost = Infinity;
  let minPositive = Infinity;
  for (let k = 0; k < n; k++) {
    const c = candidates.costs[k]!;
    if (c < minCost) minCost = c;
    if (c > 0 && c < minPositive) minPositive = c;
  }
  // Most candidates cost nothing (spots that did not move): zero-cost links must still win their tie.
  if (!(alternative > 0)) alternative = Number.isFinite(minPositive) ? minPositive / 4 : 1;
  const priced = new Float64Array(n);
  for (let k = 0; k < n; k++) priced[k] = candidates.costs[k]! + minCost;
  return solveSparseAssignment({
    rows,
    cols,
    edgeRows: candidates.rows.subarray(0, n),
    edgeCols: candidates.cols.subarray(0, n),
    edgeCosts: priced,
    rowAlternative: alternative,
    colAlternative: alternative,
  });
}

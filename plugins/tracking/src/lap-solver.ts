import { UnionFind } from './union-find.js';

/**
 * Linear assignment: a dense rectangular solver (shortest augmenting paths with dual potentials, the
 * Hungarian method in the Jonker–Volgenant formulation) and a sparse front-end that splits a gated
 * bipartite graph into connected components and solves each densely.
 */

/**
 * Solves a dense rectangular linear assignment problem.
 *
 * `cost` is row-major, `rows × cols`. A non-finite entry (`Infinity`, `NaN`) forbids the pair. The
 * result assigns as many rows as the allowed pairs permit (a maximum-cardinality matching) and, among
 * those, minimises the total cost. Negative costs are allowed.
 *
 * @returns for each row, its column, or -1 when the row is unassigned.
 * @throws RangeError when `cost.length !== rows · cols` or an entry is `-Infinity`.
 */
export function solveAssignment(cost: Float64Array, rows: number, cols: number): Int32Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw new RangeError(`solveAssignment: bad shape ${rows}×${cols}`);
  if (cost.length !== rows * cols) throw new RangeError(`solveAssignment: ${cost.length} costs for a ${rows}×${cols} matrix`);
  const result = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return result;

  let maxAbs = 0;
  let anyAllowed = false;
  for (let k = 0; k < cost.length; k++) {
    const c = cost[k]!;
    if (c === -Infinity) throw new RangeError('solveAssignment: -Infinity is not a cost');
    if (Number.isFinite(c)) {
      anyAllowed = true;
      const a = Math.abs(c);
      if (a > maxAbs) maxAbs = a;
    }
  }
  if (!anyAllowed) return result;

  // Work on n ≤ m: rows of the working matrix are the smaller side.
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  // A forbidden pair costs more than any difference of allowed totals, so the optimum uses as few
  // forbidden pairs as possible (maximum cardinality), then the least allowed cost.
  const big = 2 * n * maxAbs + 1;
  const work = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = transposed ? cost[j * cols + i]! : cost[i * cols + j]!;
      work[i * m + j] = Number.isFinite(c) ? c : big;
    }
  }
  const colOfRow = augmentingPathSolve(work, n, m);
  for (let i = 0; i < n; i++) {
    const j = colOfRow[i]!;
    const r = transposed ? j : i;
    const c = transposed ? i : j;
    if (Number.isFinite(cost[r * cols + c]!)) result[r] = c;
  }
  return result;
}

/**
 * Full assignment of every row of a finite `n × m` matrix (n ≤ m) by successive shortest augmenting
 * paths with row/column potentials (O(n²·m)).
 */
function augmentingPathSolve(a: Float64Array, n: number, m: number): Int32Array {
  // Column index 0 is a virtual column that anchors each new row; real columns are 1..m, rows 1..n.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1);
  const prevCol = new Int32Array(m + 1);
  const minSlack = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let j0 = 0;
    minSlack.fill(Infinity);
    visited.fill(0);
    do {
      visited[j0] = 1;
      const i0 = rowOfCol[j0]!;
      const base = (i0 - 1) * m - 1;
      const ui = u[i0]!;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const slack = a[base + j]! - ui - v[j]!;
        if (slack < minSlack[j]!) {
          minSlack[j] = slack;
          prevCol[j] = j0;
        }
        if (minSlack[j]! < delta) {
          delta = minSlack[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          u[rowOfCol[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minSlack[j]! -= delta;
        }
      }
      j0 = j1;
    } while (rowOfCol[j0] !== 0);
    do {
      const j1 = prevCol[j0]!;
      rowOfCol[j0] = rowOfCol[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const colOfRow = new Int32Array(n);
  for (let j = 1; j <= m; j++) {
    const i = rowOfCol[j]!;
    if (i > 0) colOfRow[i - 1] = j - 1;
  }
  return colOfRow;
}

/**
 * A sparse assignment problem: the allowed (gated) pairs as parallel arrays of edges. Pairs not
 * listed are forbidden. A pair listed twice keeps its lower cost.
 */
export interface SparseAssignmentProblem {
  readonly rows: number;
  readonly cols: number;
  readonly edgeRows: Int32Array;
  readonly edgeCols: Int32Array;
  readonly edgeCosts: Float64Array;
  /**
   * Cost of leaving a row unassigned (one number for all rows, or one per row). When neither this
   * nor `colAlternative` is given, the solver maximises the number of assignments, then minimises
   * their cost; when either is given (the other defaulting to 0), it minimises assigned costs plus
   * the alternative costs of everything left unassigned — the "no link" alternative of LAP trackers.
   */
  readonly rowAlternative?: number | Float64Array;
  /** Cost of leaving a column unassigned (see `rowAlternative`). */
  readonly colAlternative?: number | Float64Array;
}

/**
 * Solves a {@link SparseAssignmentProblem}: unions rows and columns joined by an edge into connected
 * components and solves each component with {@link solveAssignment}, so its cost follows the
 * component sizes rather than `rows × cols`. Deterministic: the result depends only on the input.
 *
 * @returns for each row, its column, or -1.
 * @throws RangeError when the edge arrays differ in length or an index is out of range.
 */
/**
 * The most cells a component's dense cost matrix may have (2^25 doubles: 256 MiB). A larger
 * component (thousands of spots all within the gating distance of each other, as noise detections
 * give) is refused with a RangeError saying what to change, instead of exhausting memory.
 */
export const MAX_DENSE_CELLS = 2 ** 25;

export function solveSparseAssignment(problem: SparseAssignmentProblem): Int32Array {
  const { rows, cols, edgeRows, edgeCols, edgeCosts } = problem;
  const e = edgeRows.length;
  if (edgeCols.length !== e || edgeCosts.length !== e) throw new RangeError('solveSparseAssignment: edge arrays differ in length');
  const result = new Int32Array(rows).fill(-1);
  const withAlternatives = problem.rowAlternative !== undefined || problem.colAlternative !== undefined;
  const rowAlt = alternativeOf(problem.rowAlternative, rows);
  const colAlt = alternativeOf(problem.colAlternative, cols);

  // Union–find over rows (0..rows-1) and columns (rows..rows+cols-1).
  const sets = new UnionFind(rows + cols);
  const find = (x: number): number => sets.find(x);
  for (let k = 0; k < e; k++) {
    const r = edgeRows[k]!;
    const c = edgeCols[k]!;
    if (r < 0 || r >= rows || c < 0 || c >= cols) throw new RangeError(`solveSparseAssignment: edge ${k} (${r}, ${c}) outside ${rows}×${cols}`);
    if (!Number.isFinite(edgeCosts[k]!)) continue;
    sets.union(r, rows + c);
  }

  // Group edges by component (counting sort on the component root), members in index order.
  const root = new Int32Array(rows + cols);
  for (let k = 0; k < root.length; k++) root[k] = find(k);
  const edgeStart = new Int32Array(rows + cols + 1);
  for (let k = 0; k < e; k++) if (Number.isFinite(edgeCosts[k]!)) edgeStart[root[edgeRows[k]!]! + 1]!++;
  for (let k = 0; k < rows + cols; k++) edgeStart[k + 1]! += edgeStart[k]!;
  const fill = edgeStart.slice(0, rows + cols);
  const sortedEdges = new Int32Array(edgeStart[rows + cols]!);
  for (let k = 0; k < e; k++) if (Number.isFinite(edgeCosts[k]!)) sortedEdges[fill[root[edgeRows[k]!]!]!++] = k;

  // Equal prices go to the lower (row, column), so the result does not depend on the edge order.
  const tieBefore = (k: number, other: number): boolean =>
    edgeRows[k]! < edgeRows[other]! || (edgeRows[k] === edgeRows[other] && edgeCols[k]! < edgeCols[other]!);
  const localIndex = new Int32Array(rows + cols).fill(-1);
  const compRows: number[] = [];
  const compCols: number[] = [];
  for (let comp = 0; comp < rows + cols; comp++) {
    const from = edgeStart[comp]!;
    const to = edgeStart[comp + 1]!;
    if (from === to) continue;
    compRows.length = 0;
    compCols.length = 0;
    for (let s = from; s < to; s++) {
      const k = sortedEdges[s]!;
      const r = edgeRows[k]!;
      const c = rows + edgeCols[k]!;
      if (localIndex[r] === -1) localIndex[r] = compRows.push(r) - 1;
      if (localIndex[c] === -1) localIndex[c] = compCols.push(c - rows) - 1;
    }
    const nr = compRows.length;
    const nc = compCols.length;
    if (nr === 1 || nc === 1) {
      // A star (most components of a gated tracking problem): the cheapest edge, if worth taking.
      let best = -1;
      let bestPrice = withAlternatives ? 0 : Infinity;
      for (let s = from; s < to; s++) {
        const k = sortedEdges[s]!;
        const price = withAlternatives ? edgeCosts[k]! - rowAlt(edgeRows[k]!) - colAlt(edgeCols[k]!) : edgeCosts[k]!;
        if (price < bestPrice || (price === bestPrice && best >= 0 && tieBefore(k, best))) {
          best = k;
          bestPrice = price;
        }
      }
      if (best >= 0) result[edgeRows[best]!] = edgeCols[best]!;
      for (const r of compRows) localIndex[r] = -1;
      for (const c of compCols) localIndex[rows + c] = -1;
      continue;
    }
    // With alternatives: one private "unassigned" column per row at cost 0, and each edge priced
    // relative to leaving both its ends unassigned, so every row is assigned in the dense problem.
    const width = withAlternatives ? nc + nr : nc;
    if (nr * width > MAX_DENSE_CELLS) {
      throw new RangeError(
        `solveSparseAssignment: ${nr} rows and ${nc} columns are all connected by candidate pairs (${to - from} of them); solving them at once needs ${nr}×${width} costs, over the limit of ${MAX_DENSE_CELLS}: fewer candidates are needed (for tracking: a smaller maximum distance, or a higher detection threshold)`,
      );
    }
    const dense = new Float64Array(nr * width).fill(Infinity);
    if (withAlternatives) for (let i = 0; i < nr; i++) dense[i * width + nc + i] = 0;
    for (let s = from; s < to; s++) {
      const k = sortedEdges[s]!;
      const r = edgeRows[k]!;
      const c = edgeCols[k]!;
      const i = localIndex[r]!;
      const j = localIndex[rows + c]!;
      const price = withAlternatives ? edgeCosts[k]! - rowAlt(r) - colAlt(c) : edgeCosts[k]!;
      if (price < dense[i * width + j]!) dense[i * width + j] = price;
    }
    const local = solveAssignment(dense, nr, width);
    for (let i = 0; i < nr; i++) {
      const j = local[i]!;
      if (j >= 0 && j < nc) result[compRows[i]!] = compCols[j]!;
    }
    for (const r of compRows) localIndex[r] = -1;
    for (const c of compCols) localIndex[rows + c] = -1;
  }
  return result;
}

function alternativeOf(alt: number | Float64Array | undefined, size: number): (index: number) => number {
  if (alt === undefined) return () => 0;
  if (typeof alt === 'number') {
    if (!Number.isFinite(alt)) throw new RangeError(`solveSparseAssignment: alternative cost ${alt} is not finite`);
    return () => alt;
  }
  if (alt.length !== size) throw new RangeError(`solveSparseAssignment: ${alt.length} alternative costs for ${size} entries`);
  return (index) => alt[index]!;
}

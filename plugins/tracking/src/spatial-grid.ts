/**
 * A uniform grid over a subset of points, for gating: finds the points within a distance of a query
 * point by visiting only the neighbouring cells. Points live in shared coordinate arrays and are
 * named by their index there.
 */

/** Most cells per point before the grid coarsens its cells (bounds memory for sparse clouds). */
const MAX_CELLS_PER_POINT = 8;

/**
 * A grid of the points `members` (indices into `xs`, `ys`, `zs`) with cubic cells of at least
 * `cellSize`. Built once in O(n); {@link SpatialGrid.within} visits the cells a query ball overlaps.
 * Immutable after construction; reports members in a deterministic order (cell order, then the
 * order of `members`).
 */
export class SpatialGrid {
  private readonly cellSize: number;
  private readonly origin: readonly [number, number, number];
  private readonly dims: readonly [number, number, number];
  private readonly cellStart: Int32Array;
  private readonly items: Int32Array;

  /**
   * @throws RangeError when `cellSize` is not positive and finite.
   */
  constructor(
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
    private readonly zs: Float64Array,
    members: Int32Array,
    cellSize: number,
  ) {
    if (!(cellSize > 0) || !Number.isFinite(cellSize)) throw new RangeError(`SpatialGrid: cell size ${cellSize} must be positive`);
    const n = members.length;
    let minX = Infinity;
    let minY = Infinity;
    let minZ = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    let maxZ = -Infinity;
    for (let k = 0; k < n; k++) {
      const i = members[k]!;
      const x = xs[i]!;
      const y = ys[i]!;
      const z = zs[i]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (z < minZ) minZ = z;
      if (z > maxZ) maxZ = z;
    }
    if (n === 0) minX = minY = minZ = maxX = maxY = maxZ = 0;
    let size = cellSize;
    const extent = (lo: number, hi: number): number => Math.floor((hi - lo) / size) + 1;
    while (extent(minX, maxX) * extent(minY, maxY) * extent(minZ, maxZ) > MAX_CELLS_PER_POINT * n + 64) size *= 2;
    this.cellSize = size;
    this.origin = [minX, minY, minZ];
    const dims: [number, number, number] = [extent(minX, maxX), extent(minY, maxY), extent(minZ, maxZ)];
    this.dims = dims;
    const cells = dims[0] * dims[1] * dims[2];
    const cellOf = new Int32Array(n);
    this.cellStart = new Int32Array(cells + 1);
    for (let k = 0; k < n; k++) {
      const i = members[k]!;
      const c = this.cellIndex(this.coord(xs[i]!, 0), this.coord(ys[i]!, 1), this.coord(zs[i]!, 2));
      cellOf[k] = c;
      this.cellStart[c + 1]!++;
    }
    for (let c = 0; c < cells; c++) this.cellStart[c + 1]! += this.cellStart[c]!;
    const fill = this.cellStart.slice(0, cells);
    this.items = new Int32Array(n);
    for (let k = 0; k < n; k++) this.items[fill[cellOf[k]!]!++] = members[k]!;
  }

  /** Number of points in the grid. */
  get size(): number {
    return this.items.length;
  }

  /**
   * Calls `visit(index, squaredDistance)` for every member within `radius` (inclusive) of (x, y, z).
   */
  within(x: number, y: number, z: number, radius: number, visit: (index: number, squaredDistance: number) => void): void {
    const r2 = radius * radius;
    const [nx, ny, nz] = this.dims;
    const x0 = Math.max(0, this.coord(x - radius, 0));
    const x1 = Math.min(nx - 1, this.coord(x + radius, 0));
    const y0 = Math.max(0, this.coord(y - radius, 1));
    const y1 = Math.min(ny - 1, this.coord(y + radius, 1));
    const z0 = Math.max(0, this.coord(z - radius, 2));
    const z1 = Math.min(nz - 1, this.coord(z + radius, 2));
    const { xs, ys, zs, items, cellStart } = this;
    for (let cz = z0; cz <= z1; cz++) {
      for (let cy = y0; cy <= y1; cy++) {
        const row = (cz * ny + cy) * nx;
        const from = cellStart[row + x0]!;
        const to = cellStart[row + x1 + 1]!;
        for (let s = from; s < to; s++) {
          const i = items[s]!;
          const dx = xs[i]! - x;
          const dy = ys[i]! - y;
          const dz = zs[i]! - z;
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 <= r2) visit(i, d2);
        }
      }
    }
  }

  private coord(value: number, axis: 0 | 1 | 2): number {
    return Math.floor((value - this.origin[axis]) / this.cellSize);
  }

  private cellIndex(cx: number, cy: number, cz: number): number {
    return (cz * this.dims[1] + cy) * this.dims[0] + cx;
  }
}

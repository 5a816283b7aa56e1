/**
 * The LAP tracker's view of its input: spots sorted by (frame, id) in typed arrays, each frame a
 * contiguous range, with spatial grids per frame built on demand.
 */
import { SpatialGrid } from './spatial-grid.js';
import type { Spot } from './track-model.js';

/**
 * Spots in (frame, id) order; a spot is named by its index in that order. Frame `f` holds the
 * indices `frameStart[f − firstFrame] … frameStart[f − firstFrame + 1] − 1`.
 */
export interface SpotTable {
  readonly count: number;
  readonly spots: readonly Spot[];
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly zs: Float64Array;
  readonly frames: Int32Array;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly frameStart: Int32Array;
  /** 0, 1, …, count − 1: frame ranges are subarrays of it. */
  readonly indices: Int32Array;
}

/**
 * Builds the {@link SpotTable} of `spots`.
 *
 * @throws RangeError on a duplicate id, a frame that is not a non-negative integer, or a coordinate
 * that is not finite.
 */
export function spotTable(spots: readonly Spot[]): SpotTable {
  const total = spots.length;
  const ids = new Float64Array(total);
  let ordered = true;
  for (let i = 0; i < total; i++) {
    const s = spots[i]!;
    if (!Number.isInteger(s.frame) || s.frame < 0) throw new RangeError(`trackSpots: spot ${s.id} has frame ${s.frame}`);
    if (!Number.isFinite(s.x) || !Number.isFinite(s.y) || !Number.isFinite(s.z)) throw new RangeError(`trackSpots: spot ${s.id} has a non-finite position`);
    ids[i] = s.id;
    if (i > 0) {
      const p = spots[i - 1]!;
      if (p.frame > s.frame || (p.frame === s.frame && p.id >= s.id)) ordered = false;
    }
  }
  ids.sort();
  for (let i = 1; i < total; i++) if (ids[i] === ids[i - 1]) throw new RangeError(`trackSpots: duplicate spot id ${ids[i]}`);
  const sorted = ordered ? spots : [...spots].sort((a, b) => a.frame - b.frame || a.id - b.id);
  const count = sorted.length;
  const xs = new Float64Array(count);
  const ys = new Float64Array(count);
  const zs = new Float64Array(count);
  const frames = new Int32Array(count);
  const indices = new Int32Array(count);
  sorted.forEach((s, i) => {
    xs[i] = s.x;
    ys[i] = s.y;
    zs[i] = s.z;
    frames[i] = s.frame;
    indices[i] = i;
  });
  const firstFrame = count > 0 ? frames[0]! : 0;
  const lastFrame = count > 0 ? frames[count - 1]! : -1;
  const frameStart = new Int32Array(Math.max(0, lastFrame - firstFrame + 1) + 1);
  for (let i = 0; i < count; i++) frameStart[frames[i]! - firstFrame + 1]!++;
  for (let f = 1; f < frameStart.length; f++) frameStart[f]! += frameStart[f - 1]!;
  return { count, spots: sorted, xs, ys, zs, frames, firstFrame, lastFrame, frameStart, indices };
}

/** The indices of the spots of `frame` (empty outside the table's frames). */
export function frameRange(table: SpotTable, frame: number): Int32Array {
  const f = frame - table.firstFrame;
  if (f < 0 || f >= table.frameStart.length - 1) return table.indices.subarray(0, 0);
  return table.indices.subarray(table.frameStart[f]!, table.frameStart[f + 1]!);
}

/**
 * Per-frame grids of the spots of each frame that pass `accept`, built on first use and kept.
 */
export class FrameGrids {
  private readonly grids = new Map<number, SpatialGrid>();

  constructor(
    private readonly table: SpotTable,
    private readonly cellSize: number,
    private readonly accept: (index: number) => boolean = () => true,
  ) {}

  /** The grid of `frame`'s accepted spots. */
  of(frame: number): SpatialGrid {
    let grid = this.grids.get(frame);
    if (grid === undefined) {
      const all = frameRange(this.table, frame);
      const members = all.filter((i) => this.accept(i));
      grid = new SpatialGrid(this.table.xs, this.table.ys, this.table.zs, members, this.cellSize);
      this.grids.set(frame, grid);
    }
    return grid;
  }
}

/**
 * The LAP tracker's second step (Jaqaman et al. 2008, as in TrackMate): links the track segments
 * left by frame-to-frame linking — gap closing (a segment's end to a later segment's start),
 * and optionally merging (an end into the middle of another segment) and splitting (the middle of a
 * segment into another segment's start) — by one assignment over all candidates.
 */
import { CandidateLinks, chooseLinks, type AlternativeCostScheme } from './lap-tracker-costs.js';
import { FrameGrids, frameRange, type SpotTable } from './lap-tracker-spots.js';

/** Options of {@link linkSegments}; distances are physical, costs squared distances. */
export interface SegmentLinkingOptions extends AlternativeCostScheme {
  readonly maxGapClosingDistance: number;
  /** Frames a track may skip: an end at frame f may join a start at f + 2 … f + maxFrameGap + 1. */
  readonly maxFrameGap: number;
  readonly allowSplitting: boolean;
  readonly allowMerging: boolean;
  readonly splittingMaxDistance: number;
  readonly mergingMaxDistance: number;
}

/**
 * Chooses segment links given the frame-to-frame links (`next[i]` / `prev[i]`: the spot index linked
 * after / before spot `i`, or -1). Candidates: gap closing from every segment end (`next = −1`) to
 * every segment start (`prev = −1`) 2…maxFrameGap+1 frames later within `maxGapClosingDistance`;
 * with merging, from every end to every spot of the next frame that has a predecessor, within
 * `mergingMaxDistance`; with splitting, from every spot that has a successor to every start of the
 * next frame, within `splittingMaxDistance`. Each end, start and middle spot takes part in at most
 * one chosen link; the choice is {@link chooseLinks} over all candidates.
 *
 * @returns the chosen links, spot indices of `table` (source earlier than target) and squared
 * distances.
 */
export function linkSegments(table: SpotTable, next: Int32Array, prev: Int32Array, options: SegmentLinkingOptions): CandidateLinks {
  const n = table.count;
  const { xs, ys, zs, frames } = table;
  // Rows: segment ends, then split sources. Columns: segment starts, then merge targets.
  const rowOf = new Int32Array(n).fill(-1);
  const colOf = new Int32Array(n).fill(-1);
  const rowSpot: number[] = [];
  const colSpot: number[] = [];
  for (let i = 0; i < n; i++) if (next[i] === -1) rowOf[i] = rowSpot.push(i) - 1;
  for (let i = 0; i < n; i++) if (prev[i] === -1) colOf[i] = colSpot.push(i) - 1;
  const splitRowOf = new Int32Array(n).fill(-1);
  const mergeColOf = new Int32Array(n).fill(-1);
  if (options.allowSplitting) for (let i = 0; i < n; i++) if (next[i] !== -1) splitRowOf[i] = rowSpot.push(i) - 1;
  if (options.allowMerging) for (let i = 0; i < n; i++) if (prev[i] !== -1) mergeColOf[i] = colSpot.push(i) - 1;

  const candidates = new CandidateLinks();
  const gapDistance = options.maxGapClosingDistance;
  if (options.maxFrameGap > 0 && gapDistance > 0) {
    const starts = new FrameGrids(table, gapDistance, (i) => prev[i] === -1);
    for (let e = 0; e < n; e++) {
      if (next[e] !== -1) continue;
      const row = rowOf[e]!;
      for (let dt = 2; dt <= options.maxFrameGap + 1; dt++) {
        const frame = frames[e]! + dt;
        if (frame > table.lastFrame) break;
        if (frameRange(table, frame).length === 0) continue;
        starts.of(frame).within(xs[e]!, ys[e]!, zs[e]!, gapDistance, (s, d2) => candidates.add(row, colOf[s]!, d2));
      }
    }
  }
  if (options.allowMerging && options.mergingMaxDistance > 0) {
    const middles = new FrameGrids(table, options.mergingMaxDistance, (i) => prev[i] !== -1);
    for (let e = 0; e < n; e++) {
      if (next[e] !== -1 || frames[e]! >= table.lastFrame) continue;
      const row = rowOf[e]!;
      middles.of(frames[e]! + 1).within(xs[e]!, ys[e]!, zs[e]!, options.mergingMaxDistance, (m, d2) => candidates.add(row, mergeColOf[m]!, d2));
    }
  }
  if (options.allowSplitting && options.splittingMaxDistance > 0) {
    const middles = new FrameGrids(table, options.splittingMaxDistance, (i) => next[i] !== -1);
    for (let s = 0; s < n; s++) {
      if (prev[s] !== -1 || frames[s]! <= table.firstFrame) continue;
      const col = colOf[s]!;
      middles.of(frames[s]! - 1).within(xs[s]!, ys[s]!, zs[s]!, options.splittingMaxDistance, (m, d2) => candidates.add(splitRowOf[m]!, col, d2));
    }
  }

  const chosen = new CandidateLinks();
  if (candidates.length === 0) return chosen;
  const assignment = chooseLinks(candidates, rowSpot.length, colSpot.length, options);
  // The assignment's cost for a pair is the candidate's squared distance (the cheapest if repeated).
  const costOf = new Map<number, number>();
  for (let k = 0; k < candidates.length; k++) {
    const key = candidates.rows[k]! * colSpot.length + candidates.cols[k]!;
    const c = candidates.costs[k]!;
    const known = costOf.get(key);
    if (known === undefined || c < known) costOf.set(key, c);
  }
  assignment.forEach((col, row) => {
    if (col < 0) return;
    chosen.add(rowSpot[row]!, colSpot[col]!, costOf.get(row * colSpot.length + col)!);
  });
  return chosen;
}

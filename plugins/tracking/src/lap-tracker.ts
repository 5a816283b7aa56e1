/**
 * A LAP tracker in the manner of TrackMate's (Jaqaman et al. 2008): frame-to-frame linking by one
 * linear assignment per pair of consecutive frames, then segment linking (gap closing, optionally
 * splitting and merging) by one more, and tracks as the connected components of all links.
 */
import { linkSegments } from './gap-closing.js';
import { CandidateLinks, chooseLinks } from './lap-tracker-costs.js';
import { FrameGrids, frameRange, spotTable } from './lap-tracker-spots.js';
import type { Spot, Track, TrackEdge } from './track-model.js';
import { UnionFind } from './union-find.js';

/** Options of {@link trackSpots}. Distances are physical (the spots' unit); costs are squared distances. */
export interface LapTrackerOptions {
  /** Largest distance between spots of consecutive frames that may be linked. */
  readonly maxLinkingDistance: number;
  /** Largest distance bridged by gap closing (default `maxLinkingDistance`). */
  readonly maxGapClosingDistance?: number;
  /** Frames a track may skip (default 2; 0 disables gap closing). */
  readonly maxFrameGap?: number;
  /** Factor on the cutoff percentile giving the "no link" alternative cost (default 1.05). */
  readonly alternativeCostFactor?: number;
  /** Percentile, in (0, 1], of the accepted costs the alternative cost is based on (default 0.9). */
  readonly cutoffPercentile?: number;
  /** Let a segment start at a spot of another segment one frame earlier (default false). */
  readonly allowSplitting?: boolean;
  /** Let a segment end into a spot of another segment one frame later (default false). */
  readonly allowMerging?: boolean;
  /** Largest splitting distance (default `maxLinkingDistance`). */
  readonly splittingMaxDistance?: number;
  /** Largest merging distance (default `maxLinkingDistance`). */
  readonly mergingMaxDistance?: number;
}

/**
 * Links `spots` (any frames, unique ids) into tracks.
 *
 * 1. Frame-to-frame: for each frame f with spots in f + 1, candidate links are the pairs within
 *    `maxLinkingDistance` at cost = squared distance; a spot may also stay unlinked at the
 *    alternative cost `alternativeCostFactor × cutoffPercentile-quantile` of that frame pair's
 *    candidate costs. The links minimise the total (see `chooseLinks`).
 * 2. Segment linking (see `linkSegments`): gap closing over 2 … maxFrameGap + 1 frames within
 *    `maxGapClosingDistance`, plus merging and splitting when allowed, by one more assignment with
 *    the same alternative-cost scheme over its own candidates.
 *
 * Tracks are the connected components of the links with two spots or more, numbered from 0 in the
 * order of their first spot by (frame, id); a track's spot ids are ordered by (frame, id) and its
 * edges (source earlier than target, cost = squared distance) by source then target. Deterministic.
 * Spots in no track are not reported.
 *
 * @throws RangeError on invalid options, duplicate spot ids, or invalid frames or positions.
 */
export function trackSpots(spots: readonly Spot[], options: LapTrackerOptions): Track[] {
  const o = resolveOptions(options);
  const table = spotTable(spots);
  const n = table.count;
  const next = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const links = new CandidateLinks();
  const scheme = { alternativeCostFactor: o.alternativeCostFactor, cutoffPercentile: o.cutoffPercentile };

  const targets = new FrameGrids(table, o.maxLinkingDistance);
  const candidates = new CandidateLinks();
  for (let frame = table.firstFrame; frame < table.lastFrame; frame++) {
    const from = frameRange(table, frame);
    const to = frameRange(table, frame + 1);
    if (from.length === 0 || to.length === 0) continue;
    const fromBase = from[0]!;
    const toBase = to[0]!;
    const grid = targets.of(frame + 1);
    candidates.clear();
    for (const i of from) {
      const row = i - fromBase;
      grid.within(table.xs[i]!, table.ys[i]!, table.zs[i]!, o.maxLinkingDistance, (j, d2) => candidates.add(row, j - toBase, d2));
    }
    if (candidates.length === 0) continue;
    const assignment = chooseLinks(candidates, from.length, to.length, scheme);
    for (let k = 0; k < candidates.length; k++) {
      const row = candidates.rows[k]!;
      const col = candidates.cols[k]!;
      if (assignment[row] !== col) continue;
      const i = fromBase + row;
      const j = toBase + col;
      next[i] = j;
      prev[j] = i;
      links.add(i, j, candidates.costs[k]!);
    }
  }

  if (o.maxFrameGap > 0 || o.allowSplitting || o.allowMerging) {
    const segmentLinks = linkSegments(table, next, prev, { ...o, ...scheme });
    for (let k = 0; k < segmentLinks.length; k++) links.add(segmentLinks.rows[k]!, segmentLinks.cols[k]!, segmentLinks.costs[k]!);
  }
  return assembleTracks(table.spots, links);
}

/** Tracks as the connected components (≥ 2 spots) of `links` between indices of `sorted`. */
function assembleTracks(sorted: readonly Spot[], links: CandidateLinks): Track[] {
  const n = sorted.length;
  const sets = new UnionFind(n);
  const find = (x: number): number => sets.find(x);
  for (let k = 0; k < links.length; k++) sets.union(links.rows[k]!, links.cols[k]!);
  const size = new Int32Array(n);
  for (let i = 0; i < n; i++) size[find(i)]!++;
  const trackOfRoot = new Int32Array(n).fill(-1);
  const spotIds: number[][] = [];
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (size[root]! < 2) continue;
    if (trackOfRoot[root] === -1) trackOfRoot[root] = spotIds.push([]) - 1;
    spotIds[trackOfRoot[root]!]!.push(sorted[i]!.id);
  }
  // Edges by source, then target: a counting sort on the source, then each source's few targets.
  const firstOut = new Int32Array(n + 1);
  for (let k = 0; k < links.length; k++) firstOut[links.rows[k]! + 1]!++;
  for (let i = 0; i < n; i++) firstOut[i + 1]! += firstOut[i]!;
  const fill = firstOut.slice(0, n);
  const bySource = new Int32Array(links.length);
  for (let k = 0; k < links.length; k++) bySource[fill[links.rows[k]!]!++] = k;
  const edges: TrackEdge[][] = spotIds.map(() => []);
  for (let source = 0; source < n; source++) {
    const from = firstOut[source]!;
    const to = firstOut[source + 1]!;
    if (from === to) continue;
    const out = bySource.subarray(from, to);
    if (out.length > 1) out.sort((a, b) => links.cols[a]! - links.cols[b]!);
    const list = edges[trackOfRoot[find(source)]!]!;
    const id = sorted[source]!.id;
    for (const k of out) list.push({ source: id, target: sorted[links.cols[k]!]!.id, cost: links.costs[k]! });
  }
  return spotIds.map((ids, id) => ({ id, spotIds: ids, edges: edges[id]! }));
}

interface ResolvedOptions {
  readonly maxLinkingDistance: number;
  readonly maxGapClosingDistance: number;
  readonly maxFrameGap: number;
  readonly alternativeCostFactor: number;
  readonly cutoffPercentile: number;
  readonly allowSplitting: boolean;
  readonly allowMerging: boolean;
  readonly splittingMaxDistance: number;
  readonly mergingMaxDistance: number;
}

function resolveOptions(options: LapTrackerOptions): ResolvedOptions {
  const linking = options.maxLinkingDistance;
  const resolved: ResolvedOptions = {
    maxLinkingDistance: linking,
    maxGapClosingDistance: options.maxGapClosingDistance ?? linking,
    maxFrameGap: options.maxFrameGap ?? 2,
    alternativeCostFactor: options.alternativeCostFactor ?? 1.05,
    cutoffPercentile: options.cutoffPercentile ?? 0.9,
    allowSplitting: options.allowSplitting ?? false,
    allowMerging: options.allowMerging ?? false,
    splittingMaxDistance: options.splittingMaxDistance ?? linking,
    mergingMaxDistance: options.mergingMaxDistance ?? linking,
  };
  const positive = (name: keyof ResolvedOptions, allowZero: boolean): void => {
    const v = resolved[name] as number;
    if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
      throw new RangeError(`trackSpots: ${name} ${v} must be ${allowZero ? 'non-negative' : 'positive'}`);
  };
  positive('maxLinkingDistance', false);
  positive('maxGapClosingDistance', true);
  positive('splittingMaxDistance', true);
  positive('mergingMaxDistance', true);
  positive('alternativeCostFactor', false);
  if (!Number.isInteger(resolved.maxFrameGap) || resolved.maxFrameGap < 0)
    throw new RangeError(`trackSpots: maxFrameGap ${resolved.maxFrameGap} must be a non-negative integer`);
  if (!(resolved.cutoffPercentile > 0 && resolved.cutoffPercentile <= 1))
    throw new RangeError(`trackSpots: cutoffPercentile ${resolved.cutoffPercentile} must be in (0, 1]`);
  return resolved;
}

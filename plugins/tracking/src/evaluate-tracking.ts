import { solveSparseAssignment } from './lap-solver.js';
import type { Spot, TrackingResult } from './track-model.js';

/**
 * Tracking metrics against ground truth in the manner of the ISBI 2012 particle-tracking challenge
 * (N. Chenouard et al., "Objective comparison of particle tracking methods", Nat. Methods 11:281–289,
 * 2014), plus frame-wise detection and link scores.
 */

/** A track as evaluated: a track of the result, or a spot in no track (a track of one point). */
export type TrackRef = { readonly kind: 'track'; readonly id: number } | { readonly kind: 'spot'; readonly id: number };

/** How one ground-truth track was paired. */
export interface TrackPairing {
  readonly truth: TrackRef;
  /** The estimated track paired with it, or null for a dummy track (the truth track is missed). */
  readonly estimate: TrackRef | null;
  /** d(θ, ω) (see {@link evaluateTracking}); for a dummy, gate × the truth track's points. */
  readonly distance: number;
  /** Frames where both tracks have a point closer than the gate. */
  readonly matchedPoints: number;
}

/** Options of {@link evaluateTracking}. */
export interface EvaluateTrackingOptions {
  /** Gating distance ε in the results' space unit (the challenge used 5 px × pixel size). Positive. */
  readonly gate: number;
  /** Spots in no track count as tracks of one point (default true); false leaves them out of both results. */
  readonly loneSpotsAsTracks?: boolean;
  /** Voxel size (the results' unit): also report {@link TrackingScores.rmseVoxels}, errors measured in voxels along each axis. */
  readonly voxel?: { readonly x: number; readonly y: number; readonly z: number };
}

/** What {@link evaluateTracking} reports. Jaccard indices of two empty sets are 1. */
export interface TrackingScores {
  readonly gate: number;
  /** One per ground-truth track, in the order truth tracks then truth lone spots. */
  readonly pairs: readonly TrackPairing[];
  /** Truth tracks paired with a real estimated track (track true positives). */
  readonly pairedTracks: number;
  /** Truth tracks paired with a dummy (track false negatives). */
  readonly missedTracks: number;
  /** Estimated tracks paired with no truth track (track false positives). */
  readonly spuriousTracks: number;
  /** pairedTracks / (pairedTracks + missedTracks + spuriousTracks). */
  readonly jaccardTracks: number;
  /** 1 − d(X, Y*) / d(X, ∅), in [0, 1]. */
  readonly alpha: number;
  /** (d(X, ∅) − d(X, Y*)) / (d(X, ∅) + d(Ȳ, ∅)), in [0, alpha]. */
  readonly beta: number;
  /** Truth points matched through the pairing. */
  readonly tp: number;
  /** Truth points not matched. */
  readonly fn: number;
  /** Estimated points not matched (spurious tracks' points included). */
  readonly fp: number;
  /** tp / (tp + fn + fp). */
  readonly jaccardPoints: number;
  /** Root mean square distance of the matched points (NaN when none). */
  readonly rmse: number;
  /** As `rmse` with each axis' error in voxels of `options.voxel` (anisotropic voxels); absent without it. */
  readonly rmseVoxels?: number;
  /** Frame-wise detection matching, ignoring tracks (see {@link evaluateTracking}). */
  readonly detectionTp: number;
  readonly detectionFn: number;
  readonly detectionFp: number;
  readonly jaccardDetections: number;
  /** Truth links whose endpoints' detections are linked in the estimate. */
  readonly linkTp: number;
  readonly linkFn: number;
  readonly linkFp: number;
  readonly jaccardLinks: number;
  readonly truthTracks: number;
  readonly estimateTracks: number;
  readonly truthPoints: number;
  readonly estimatePoints: number;
  readonly truthLinks: number;
  readonly estimateLinks: number;
}

/** A track flattened for evaluation: frames ascending, positions (x, y, z) per point, spot ids. */
interface FlatTrack {
  readonly ref: TrackRef;
  readonly frames: Int32Array;
  readonly xyz: Float64Array;
  readonly spotIds: readonly number[];
}

/** A point of one frame: its track, its index in that track, its spot id. */
interface FramePoint {
  readonly track: number;
  readonly index: number;
  readonly spot: number;
}

function flatten(result: TrackingResult, loneSpots: boolean, which: string): FlatTrack[] {
  const byId = new Map<number, Spot>();
  for (const s of result.spots) {
    if (byId.has(s.id)) throw new RangeError(`${which}: spot id ${s.id} appears twice`);
    byId.set(s.id, s);
  }
  const inTrack = new Set<number>();
  const out: FlatTrack[] = [];
  const add = (ref: TrackRef, spots: Spot[]): void => {
    spots.sort((a, b) => a.frame - b.frame);
    for (let k = 1; k < spots.length; k++) {
      if (spots[k]!.frame === spots[k - 1]!.frame) {
        throw new RangeError(`${which}: track ${ref.id} has two spots in frame ${spots[k]!.frame} (branching tracks are not evaluated)`);
      }
    }
    const xyz = new Float64Array(spots.length * 3);
    spots.forEach((s, k) => xyz.set([s.x, s.y, s.z], 3 * k));
    out.push({ ref, frames: Int32Array.from(spots, (s) => s.frame), xyz, spotIds: spots.map((s) => s.id) });
  };
  for (const track of result.tracks) {
    const spots = track.spotIds.map((id) => {
      const s = byId.get(id);
      if (s === undefined) throw new RangeError(`${which}: track ${track.id} names spot ${id}, which is not among the spots`);
      if (inTrack.has(id)) throw new RangeError(`${which}: spot ${id} belongs to two tracks`);
      inTrack.add(id);
      return s;
    });
    add({ kind: 'track', id: track.id }, spots);
  }
  if (loneSpots) for (const s of result.spots) if (!inTrack.has(s.id)) add({ kind: 'spot', id: s.id }, [s]);
  return out;
}

/** Points of each frame, by frame. */
function pointsByFrame(tracks: readonly FlatTrack[]): Map<number, FramePoint[]> {
  const frames = new Map<number, FramePoint[]>();
  tracks.forEach((t, track) => {
    t.frames.forEach((frame, index) => {
      let list = frames.get(frame);
      if (list === undefined) frames.set(frame, (list = []));
      list.push({ track, index, spot: t.spotIds[index]! });
    });
  });
  return frames;
}

function distance(a: FlatTrack, i: number, b: FlatTrack, j: number): number {
  return Math.hypot(a.xyz[3 * i]! - b.xyz[3 * j]!, a.xyz[3 * i + 1]! - b.xyz[3 * j + 1]!, a.xyz[3 * i + 2]! - b.xyz[3 * j + 2]!);
}

/** Calls `visit(truthPoint, estimatePoint, distance)` for every pair of one frame closer than `gate` (a grid of cell `gate`). */
function closePairs(
  truth: readonly FlatTrack[],
  estimate: readonly FlatTrack[],
  gt: readonly FramePoint[],
  est: readonly FramePoint[],
  gate: number,
  visit: (g: FramePoint, e: FramePoint, d: number) => void,
): void {
  const cell = (v: number): number => Math.floor(v / gate);
  const key = (x: number, y: number, z: number): string => `${x},${y},${z}`;
  const grid = new Map<string, FramePoint[]>();
  for (const e of est) {
    const xyz = estimate[e.track]!.xyz;
    const k = key(cell(xyz[3 * e.index]!), cell(xyz[3 * e.index + 1]!), cell(xyz[3 * e.index + 2]!));
    let list = grid.get(k);
    if (list === undefined) grid.set(k, (list = []));
    list.push(e);
  }
  for (const g of gt) {
    const t = truth[g.track]!;
    const [cx, cy, cz] = [cell(t.xyz[3 * g.index]!), cell(t.xyz[3 * g.index + 1]!), cell(t.xyz[3 * g.index + 2]!)];
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dz = -1; dz <= 1; dz++) {
          for (const e of grid.get(key(cx + dx, cy + dy, cz + dz)) ?? []) {
            const d = distance(t, g.index, estimate[e.track]!, e.index);
            if (d < gate) visit(g, e, d);
          }
        }
  }
}

/** d(θ, ω) = Σ over frames of either track of min(‖θ(t) − ω(t)‖, ε), ε where one is absent; and the matched frames. */
function trackDistance(
  a: FlatTrack,
  b: FlatTrack,
  gate: number,
  voxel: { readonly x: number; readonly y: number; readonly z: number } = { x: 1, y: 1, z: 1 },
): { distance: number; matched: number; squared: number; squaredVoxels: number } {
  let [i, j, total, matched, squared, squaredVoxels] = [0, 0, 0, 0, 0, 0];
  while (i < a.frames.length || j < b.frames.length) {
    const fa = i < a.frames.length ? a.frames[i]! : Infinity;
    const fb = j < b.frames.length ? b.frames[j]! : Infinity;
    if (fa === fb) {
      const d = distance(a, i, b, j);
      if (d < gate) {
        total += d;
        matched++;
        squared += d * d;
        const [ai, bj] = [3 * i, 3 * j];
        squaredVoxels +=
          ((a.xyz[ai]! - b.xyz[bj]!) / voxel.x) ** 2 + ((a.xyz[ai + 1]! - b.xyz[bj + 1]!) / voxel.y) ** 2 + ((a.xyz[ai + 2]! - b.xyz[bj + 2]!) / voxel.z) ** 2;
      } else total += gate;
      i++;
      j++;
    } else {
      total += gate;
      if (fa < fb) i++;
      else j++;
    }
  }
  return { distance: total, matched, squared, squaredVoxels };
}

const jaccard = (tp: number, fn: number, fp: number): number => (tp + fn + fp === 0 ? 1 : tp / (tp + fn + fp));

/**
 * Scores an estimated tracking result against ground truth. Positions are compared in the space
 * unit of the results (Euclidean over x, y, z); frames by index. Both results must use the same
 * unit and frames; tracks must not branch (one spot per frame per track).
 *
 * Track pairing (Chenouard et al. 2014): the distance of a truth track θ to an estimated track ω is
 * d(θ, ω) = Σ_t ‖θ(t) − ω(t)‖₂,ε over the frames where either has a point, with ‖·‖₂,ε = min(‖·‖, ε)
 * and ε wherever one of the two has no point; a dummy track has no points, so d(θ, dummy) = ε·|θ|.
 * Each truth track is paired with a distinct estimated track or a dummy so that the sum
 * d(X, Y*) = Σ d(θ, ω) is minimal — a linear assignment (`solveSparseAssignment` of `./lap-solver`,
 * with the dummy as each row's alternative; pairs with no point closer than ε are never better
 * than the dummy and are left out). Then
 * - tracks: a truth track paired with a real track is a true positive, with a dummy a false
 *   negative; an unpaired estimated track is a false positive; jaccardTracks = TP/(TP+FN+FP);
 * - α = 1 − d(X, Y*)/d(X, ∅) with d(X, ∅) = ε·(truth points): how well the truth is covered;
 * - β = (d(X, ∅) − d(X, Y*)) / (d(X, ∅) + d(Ȳ, ∅)) with d(Ȳ, ∅) = ε·(points of unpaired
 *   estimated tracks): α penalised by spurious tracks;
 * - points: a truth point is matched (TP) when its paired track has a point in the same frame
 *   closer than ε; unmatched truth points are FN, unmatched estimated points FP;
 *   jaccardPoints = TP/(TP+FN+FP); rmse is over the matched points' distances.
 *
 * Detections and links (not in the paper; they separate detection from linking): in each frame
 * truth and estimated points are matched one-to-one by a linear assignment that matches as many
 * pairs closer than ε as possible, then minimises their summed distance; detection TP/FN/FP and
 * jaccardDetections follow. A truth link (an edge of a truth track, consecutive or across a gap) is
 * a true positive when both endpoints are matched and their matched estimated spots are joined by
 * an edge of the estimate; other truth links are FN and other estimated edges FP. An identity swap
 * at a crossing thus costs links but no detections (the pairing-based points drop too when the
 * tracks part farther than ε after the swap).
 *
 * Lone spots (in no track) count as tracks of one point unless `loneSpotsAsTracks` is false.
 * Alpha and beta are 1 when the truth has no points (beta 0 if the estimate has some).
 *
 * @throws RangeError for a gate that is not a positive number, a duplicated spot id, a track naming
 *   a missing spot or sharing a spot, or a track with two spots in one frame.
 */
export function evaluateTracking(truth: TrackingResult, estimate: TrackingResult, options: EvaluateTrackingOptions): TrackingScores {
  const gate = options.gate;
  if (!Number.isFinite(gate) || gate <= 0) throw new RangeError(`gate must be a positive number, got ${gate}`);
  const loneSpots = options.loneSpotsAsTracks ?? true;
  const gtTracks = flatten(truth, loneSpots, 'truth');
  const estTracks = flatten(estimate, loneSpots, 'estimate');
  const gtFrames = pointsByFrame(gtTracks);
  const estFrames = pointsByFrame(estTracks);
  const truthPoints = gtTracks.reduce((n, t) => n + t.frames.length, 0);
  const estimatePoints = estTracks.reduce((n, t) => n + t.frames.length, 0);

  // One pass over the close point pairs: candidate track pairs and each frame's detection edges.
  const candidates = new Set<number>();
  const m = estTracks.length;
  const matchOf = new Map<number, number>();
  let detectionTp = 0;
  for (const [frame, gt] of gtFrames) {
    const est = estFrames.get(frame);
    if (est === undefined) continue;
    const rows: number[] = [];
    const cols: number[] = [];
    const costs: number[] = [];
    const rowOf = new Map<FramePoint, number>(gt.map((g, k) => [g, k]));
    const colOf = new Map<FramePoint, number>(est.map((e, k) => [e, k]));
    closePairs(gtTracks, estTracks, gt, est, gate, (g, e, d) => {
      candidates.add(g.track * m + e.track);
      rows.push(rowOf.get(g)!);
      cols.push(colOf.get(e)!);
      costs.push(d);
    });
    if (rows.length === 0) continue;
    const assigned = solveSparseAssignment({
      rows: gt.length,
      cols: est.length,
      edgeRows: Int32Array.from(rows),
      edgeCols: Int32Array.from(cols),
      edgeCosts: Float64Array.from(costs),
    });
    assigned.forEach((c, r) => {
      if (c < 0) return;
      matchOf.set(gt[r]!.spot, est[c]!.spot);
      detectionTp++;
    });
  }

  // Track pairing.
  const pairRows: number[] = [];
  const pairCols: number[] = [];
  const pairCosts: number[] = [];
  for (const key of [...candidates].sort((a, b) => a - b)) {
    const [i, j] = [Math.floor(key / m), key % m];
    pairRows.push(i);
    pairCols.push(j);
    pairCosts.push(trackDistance(gtTracks[i]!, estTracks[j]!, gate).distance);
  }
  const dummy = Float64Array.from(gtTracks, (t) => gate * t.frames.length);
  const pairing = solveSparseAssignment({
    rows: gtTracks.length,
    cols: m,
    edgeRows: Int32Array.from(pairRows),
    edgeCols: Int32Array.from(pairCols),
    edgeCosts: Float64Array.from(pairCosts),
    rowAlternative: dummy,
    colAlternative: 0,
  });

  const paired = new Set<number>();
  let [tp, squared, squaredVoxels, total] = [0, 0, 0, 0];
  const pairs: TrackPairing[] = gtTracks.map((t, i) => {
    const j = pairing[i]!;
    if (j < 0) {
      total += dummy[i]!;
      return { truth: t.ref, estimate: null, distance: dummy[i]!, matchedPoints: 0 };
    }
    paired.add(j);
    const d = trackDistance(t, estTracks[j]!, gate, options.voxel);
    tp += d.matched;
    squared += d.squared;
    squaredVoxels += d.squaredVoxels;
    total += d.distance;
    return { truth: t.ref, estimate: estTracks[j]!.ref, distance: d.distance, matchedPoints: d.matched };
  });
  const pairedTracks = paired.size;
  const spuriousPoints = estTracks.reduce((n, t, j) => (paired.has(j) ? n : n + t.frames.length), 0);
  const empty = gate * truthPoints;
  const alpha = empty === 0 ? 1 : 1 - total / empty;
  const beta = empty === 0 ? (spuriousPoints === 0 ? 1 : 0) : (empty - total) / (empty + gate * spuriousPoints);

  // Links.
  const estEdges = new Set<string>();
  for (const track of estimate.tracks) for (const e of track.edges) estEdges.add(`${e.source}>${e.target}`);
  let truthLinks = 0;
  let linkTp = 0;
  for (const track of truth.tracks) {
    for (const e of track.edges) {
      truthLinks++;
      const [a, b] = [matchOf.get(e.source), matchOf.get(e.target)];
      if (a !== undefined && b !== undefined && (estEdges.has(`${a}>${b}`) || estEdges.has(`${b}>${a}`))) linkTp++;
    }
  }
  const estimateLinks = estEdges.size;

  const fn = truthPoints - tp;
  const fp = estimatePoints - tp;
  return {
    gate,
    pairs,
    pairedTracks,
    missedTracks: gtTracks.length - pairedTracks,
    spuriousTracks: m - pairedTracks,
    jaccardTracks: jaccard(pairedTracks, gtTracks.length - pairedTracks, m - pairedTracks),
    alpha,
    beta,
    tp,
    fn,
    fp,
    jaccardPoints: jaccard(tp, fn, fp),
    rmse: tp === 0 ? NaN : Math.sqrt(squared / tp),
    ...(options.voxel !== undefined && { rmseVoxels: tp === 0 ? NaN : Math.sqrt(squaredVoxels / tp) }),
    detectionTp,
    detectionFn: truthPoints - detectionTp,
    detectionFp: estimatePoints - detectionTp,
    jaccardDetections: jaccard(detectionTp, truthPoints - detectionTp, estimatePoints - detectionTp),
    linkTp,
    linkFn: truthLinks - linkTp,
    linkFp: estimateLinks - linkTp,
    jaccardLinks: jaccard(linkTp, truthLinks - linkTp, estimateLinks - linkTp),
    truthTracks: gtTracks.length,
    estimateTracks: m,
    truthPoints,
    estimatePoints,
    truthLinks,
    estimateLinks,
  };
}

import { describe, expect, it } from 'vitest';
import { evaluateTracking } from './evaluate-tracking.js';
import type { Spot, Track, TrackingResult } from './track-model.js';

/** A point of a hand-made track: frame, x, y (z = 0). */
type P = readonly [number, number, number];

/** A result from tracks of points (consecutive points linked) and lone points; spot ids from `firstId`. */
function result(tracks: readonly (readonly P[])[], lone: readonly P[] = [], firstId = 0): TrackingResult {
  const spots: Spot[] = [];
  const make = ([frame, x, y]: P): number => {
    const id = firstId + spots.length;
    spots.push({ id, frame, x, y, z: 0, quality: 1, intensity: 1, radius: 1 });
    return id;
  };
  const out: Track[] = tracks.map((points, id) => {
    const spotIds = points.map(make);
    return { id, spotIds, edges: spotIds.slice(1).map((target, k) => ({ source: spotIds[k]!, target, cost: 0 })) };
  });
  lone.forEach(make);
  return { spots, tracks: out, spaceUnit: 'µm', timeUnit: 's', frameInterval: 1 };
}

const A: P[] = [0, 1, 2, 3].map((t) => [t, t, 0]);
const B: P[] = [0, 1, 2, 3].map((t) => [t, 10, t]);
const shift = (points: readonly P[], dx: number): P[] => points.map(([t, x, y]) => [t, x + dx, y]);

describe('evaluateTracking (ISBI 2012 particle-tracking measures)', () => {
  it('scores a perfect estimate 1, 1, 0', () => {
    const s = evaluateTracking(result([A, B]), result([B, A], [], 100), { gate: 1 });
    expect(s).toMatchObject({ alpha: 1, beta: 1, jaccardTracks: 1, jaccardPoints: 1, jaccardLinks: 1, jaccardDetections: 1, rmse: 0 });
    expect(s).toMatchObject({ tp: 8, fn: 0, fp: 0, pairedTracks: 2, missedTracks: 0, spuriousTracks: 0, linkTp: 6, linkFn: 0, linkFp: 0 });
    expect(s.pairs.map((p) => [p.truth.id, p.estimate?.id])).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('counts a missed point (a gap in the estimate) and the distance of a shifted track', () => {
    // A is found without frame 2 (linked 1 → 3 across the gap); B is found 0.3 to the right.
    const estimate = result([A.filter(([t]) => t !== 2), shift(B, 0.3)]);
    const s = evaluateTracking(result([A, B]), estimate, { gate: 1 });
    expect(s).toMatchObject({ tp: 7, fn: 1, fp: 0, detectionTp: 7, detectionFn: 1, detectionFp: 0 });
    expect(s.jaccardPoints).toBeCloseTo(7 / 8, 12);
    // d(X, Y*) = ε (A's gap) + 4 × 0.3; d(X, ∅) = 8ε.
    expect(s.alpha).toBeCloseTo(1 - 2.2 / 8, 12);
    expect(s.beta).toBeCloseTo(s.alpha, 12);
    expect(s.rmse).toBeCloseTo(Math.sqrt((4 * 0.09) / 7), 12);
    expect(s.pairs[1]!.distance).toBeCloseTo(1.2, 12);
    // Truth links 0→1 ✓, 1→2 ✗, 2→3 ✗ (A) and B's three; the estimate's 1→3 is a false link.
    expect(s).toMatchObject({ linkTp: 4, linkFn: 2, linkFp: 1, truthLinks: 6, estimateLinks: 5 });
    expect(s.jaccardLinks).toBeCloseTo(4 / 7, 12);
    expect(s.jaccardTracks).toBe(1);
  });

  it('measures the RMSE in voxels of an anisotropic voxel when given one', () => {
    // every estimated point 0.3 to the right and 0.4 up: 0.5 in space; in voxels of 0.1 × 0.2: 3 and 2
    const moved = [A.map(([t, x, y]): P => [t, x + 0.3, y + 0.4])];
    const s = evaluateTracking(result([A]), result(moved), { gate: 1, voxel: { x: 0.1, y: 0.2, z: 1 } });
    expect(s.rmse).toBeCloseTo(0.5, 12);
    expect(s.rmseVoxels).toBeCloseTo(Math.hypot(3, 2), 12);
    expect(evaluateTracking(result([A]), result(moved), { gate: 1 }).rmseVoxels).toBeUndefined();
  });

  it('penalises a false track in beta and the Jaccard indices but not in alpha', () => {
    const spurious: P[] = [
      [0, 50, 50],
      [1, 51, 50],
      [2, 52, 50],
    ];
    const s = evaluateTracking(result([A, B]), result([A, spurious, B]), { gate: 1 });
    expect(s.alpha).toBe(1);
    expect(s.beta).toBeCloseTo(8 / 11, 12);
    expect(s).toMatchObject({ pairedTracks: 2, missedTracks: 0, spuriousTracks: 1, tp: 8, fn: 0, fp: 3, linkTp: 6, linkFp: 2 });
    expect(s.jaccardTracks).toBeCloseTo(2 / 3, 12);
    expect(s.jaccardPoints).toBeCloseTo(8 / 11, 12);
    expect(s.jaccardLinks).toBeCloseTo(6 / 8, 12);
  });

  it('pairs a missed track with a dummy', () => {
    const s = evaluateTracking(result([A, B]), result([B]), { gate: 1 });
    expect(s.pairs[0]).toEqual({ truth: { kind: 'track', id: 0 }, estimate: null, distance: 4, matchedPoints: 0 });
    expect(s.alpha).toBeCloseTo(0.5, 12);
    expect(s.beta).toBeCloseTo(0.5, 12);
    expect(s).toMatchObject({ pairedTracks: 1, missedTracks: 1, spuriousTracks: 0, jaccardTracks: 0.5, tp: 4, fn: 4, fp: 0 });
    // A track farther than the gate everywhere is a dummy pairing plus a spurious track.
    const far = evaluateTracking(result([A]), result([shift(A, 5)]), { gate: 1 });
    expect(far).toMatchObject({ pairedTracks: 0, spuriousTracks: 1, alpha: 0, beta: 0, tp: 0, fn: 4, fp: 4, jaccardTracks: 0 });
    expect(far.rmse).toBeNaN();
  });

  it('an identity swap at a crossing lowers the link Jaccard but not the detection Jaccard', () => {
    // A goes up the diagonal, B down it (0.2 above); they pass at frame 2. The estimate swaps after it.
    const a: P[] = [0, 1, 2, 3, 4].map((t) => [t, t, t]);
    const b: P[] = [0, 1, 2, 3, 4].map((t) => [t, t, 4.2 - t]);
    const swapped = [
      [...a.slice(0, 3), ...b.slice(3)],
      [...b.slice(0, 3), ...a.slice(3)],
    ];
    const s = evaluateTracking(result([a, b]), result(swapped), { gate: 0.5 });
    expect(s).toMatchObject({ detectionTp: 10, detectionFn: 0, detectionFp: 0, jaccardDetections: 1 });
    // Each truth track loses the link across the swap (2 → 3); the estimate's two crossing links are false.
    expect(s).toMatchObject({ linkTp: 6, linkFn: 2, linkFp: 2 });
    expect(s.jaccardLinks).toBeCloseTo(0.6, 12);
    // Pairing: A with the track that follows it up to frame 2, cost 2ε; points after the swap are lost.
    expect(s.pairs.map((p) => [p.estimate?.id, p.distance])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(s).toMatchObject({ tp: 6, fn: 4, fp: 4 });
    expect(s.alpha).toBeCloseTo(1 - 2 / 5, 12);
    // With a gate wider than the tracks part, every point stays matched through the pairing: only links drop.
    const wide = evaluateTracking(result([a, b]), result(swapped), { gate: 5 });
    expect(wide.jaccardPoints).toBe(1);
    expect(wide.jaccardLinks).toBeCloseTo(0.6, 12);
    expect(wide.alpha).toBeLessThan(1);
  });

  it('counts lone spots as one-point tracks, or leaves them out', () => {
    const truth = result([A], [[5, 3, 3]]);
    const estimate = result([A], [[5, 3.1, 3]]);
    const s = evaluateTracking(truth, estimate, { gate: 1 });
    expect(s).toMatchObject({ truthTracks: 2, estimateTracks: 2, pairedTracks: 2, tp: 5, fn: 0, fp: 0 });
    expect(s.pairs[1]!.truth).toEqual({ kind: 'spot', id: 4 });
    const without = evaluateTracking(truth, result([A], [[7, 0, 0]]), { gate: 1, loneSpotsAsTracks: false });
    expect(without).toMatchObject({ truthTracks: 1, estimateTracks: 1, tp: 4, fn: 0, fp: 0, truthPoints: 4 });
  });

  it('finds the optimal pairing (brute force over all pairings of small random cases)', () => {
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const tracks = (n: number): P[][] =>
      Array.from({ length: n }, () => {
        const start = Math.floor(random() * 3);
        const length = 1 + Math.floor(random() * 5);
        const [x, y] = [random() * 3, random() * 3];
        return Array.from({ length }, (_, k): P => [start + k, x + random() * 0.8, y + random() * 0.8]);
      });
    for (let round = 0; round < 60; round++) {
      const truth = result(tracks(1 + Math.floor(random() * 4)));
      const estimate = result(tracks(1 + Math.floor(random() * 4)), [], 1000);
      const gate = 0.5 + random();
      const s = evaluateTracking(truth, estimate, { gate });
      const d = (g: readonly number[], e: readonly number[] | undefined): number => {
        if (e === undefined) return gate * g.length;
        const at = (ids: readonly number[], src: TrackingResult): Map<number, Spot> =>
          new Map(ids.map((id) => src.spots.find((sp) => sp.id === id)!).map((sp) => [sp.frame, sp]));
        const [p, q] = [at(g, truth), at(e, estimate)];
        let total = 0;
        for (const f of new Set([...p.keys(), ...q.keys()])) {
          const [u, v] = [p.get(f), q.get(f)];
          total += u && v ? Math.min(gate, Math.hypot(u.x - v.x, u.y - v.y)) : gate;
        }
        return total;
      };
      let best = Infinity;
      const n = truth.tracks.length;
      const used = new Set<number>();
      const search = (i: number, sum: number): void => {
        if (i === n) return void (best = Math.min(best, sum));
        search(i + 1, sum + d(truth.tracks[i]!.spotIds, undefined));
        estimate.tracks.forEach((t, j) => {
          if (used.has(j)) return;
          used.add(j);
          search(i + 1, sum + d(truth.tracks[i]!.spotIds, t.spotIds));
          used.delete(j);
        });
      };
      search(0, 0);
      const total = s.pairs.reduce((a, p) => a + p.distance, 0);
      expect(total).toBeCloseTo(best, 9);
      expect(s.alpha).toBeCloseTo(1 - best / (gate * s.truthPoints), 9);
      expect(s.beta).toBeLessThanOrEqual(s.alpha + 1e-12);
      expect(s.tp + s.fn).toBe(s.truthPoints);
      expect(s.tp + s.fp).toBe(s.estimatePoints);
      expect(s.detectionTp).toBeGreaterThanOrEqual(s.tp);
    }
  });

  it('rejects a bad gate and malformed results', () => {
    expect(() => evaluateTracking(result([A]), result([A]), { gate: 0 })).toThrow(/gate must be a positive number/);
    const branching: TrackingResult = {
      ...result([A]),
      tracks: [
        { id: 0, spotIds: [0, 1, 2, 3], edges: [] },
        { id: 1, spotIds: [1], edges: [] },
      ],
    };
    expect(() => evaluateTracking(branching, result([A]), { gate: 1 })).toThrow(/spot 1 belongs to two tracks/);
    const twice = result([[...A, [3, 9, 9]]]);
    expect(() => evaluateTracking(result([A]), twice, { gate: 1 })).toThrow(/two spots in frame 3/);
    const missing: TrackingResult = { ...result([A]), tracks: [{ id: 0, spotIds: [0, 99], edges: [] }] };
    expect(() => evaluateTracking(missing, result([A]), { gate: 1 })).toThrow(/names spot 99/);
  });
});

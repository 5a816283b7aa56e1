import { seededRandom } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { trackSpots } from './lap-tracker.js';
import type { Spot, Track } from './track-model.js';

let nextId = 0;
function spot(frame: number, x: number, y = 0, z = 0, id = nextId++): Spot {
  return { id, frame, x, y, z, quality: 1, intensity: 1, radius: 0.2 };
}

/** Spots of a track, as their positions `frame:x,y`, for readable expectations. */
function describeTracks(tracks: Track[], spots: Spot[]): string[][] {
  const byId = new Map(spots.map((s) => [s.id, s]));
  return tracks.map((t) => t.spotIds.map((id) => byId.get(id)!).map((s) => `${s.frame}:${s.x.toFixed(2)},${s.y.toFixed(2)}`));
}

describe('trackSpots', () => {
  it('links straight parallel trajectories into one track each', () => {
    const spots: Spot[] = [];
    for (let t = 0; t < 10; t++) for (let k = 0; k < 3; k++) spots.push(spot(t, 0.1 * t, 2 * k));
    const tracks = trackSpots(spots, { maxLinkingDistance: 0.5 });
    expect(tracks).toHaveLength(3);
    for (const [k, track] of tracks.entries()) {
      expect(track.id).toBe(k);
      expect(track.spotIds).toHaveLength(10);
      expect(track.edges).toHaveLength(9);
      const ys = new Set(track.spotIds.map((id) => spots.find((s) => s.id === id)!.y));
      expect([...ys]).toEqual([2 * k]);
      for (const e of track.edges) expect(e.cost).toBeCloseTo(0.01, 12);
    }
  });

  it('keeps crossing trajectories apart', () => {
    // A moves along x, B along y; their paths cross at (5, 0), B passing it two frames after A, and
    // at frame 6 each is as close to the other's next position as to its own.
    const spots: Spot[] = [];
    for (let t = 0; t < 10; t++) spots.push(spot(t, t, 0), spot(t, 5, t - 7));
    const tracks = trackSpots(spots, { maxLinkingDistance: 1.6 });
    expect(describeTracks(tracks, spots).map((t) => t.length)).toEqual([10, 10]);
    const byId = new Map(spots.map((s) => [s.id, s]));
    const [a, b] = tracks.map((t) => t.spotIds.map((id) => byId.get(id)!));
    expect(new Set(a!.map((s) => s.y))).toEqual(new Set([0]));
    expect(new Set(b!.map((s) => s.x))).toEqual(new Set([5]));
  });

  it('optimises globally where nearest-neighbour linking would go wrong', () => {
    const spots = [spot(0, 0), spot(0, 2), spot(1, 1.1), spot(1, 3.5)];
    expect(describeTracks(trackSpots(spots, { maxLinkingDistance: 2 }), spots)).toEqual([
      ['0:0.00,0.00', '1:1.10,0.00'],
      ['0:2.00,0.00', '1:3.50,0.00'],
    ]);
  });

  it('does not link beyond maxLinkingDistance', () => {
    const spots = [spot(0, 0), spot(1, 0.1), spot(2, 1.2), spot(3, 1.3)];
    expect(describeTracks(trackSpots(spots, { maxLinkingDistance: 0.5 }), spots)).toEqual([
      ['0:0.00,0.00', '1:0.10,0.00'],
      ['2:1.20,0.00', '3:1.30,0.00'],
    ]);
    expect(trackSpots([spot(0, 0), spot(1, 0.6)], { maxLinkingDistance: 0.5 })).toEqual([]);
  });

  it('closes a one-frame gap, and not when maxFrameGap is 0', () => {
    const spots: Spot[] = [];
    for (let t = 0; t < 10; t++) if (t !== 5) spots.push(spot(t, 0.1 * t));
    const closed = trackSpots(spots, { maxLinkingDistance: 0.3 });
    expect(closed).toHaveLength(1);
    expect(closed[0]!.spotIds).toHaveLength(9);
    const bridge = closed[0]!.edges.find((e) => e.source === spots[4]!.id)!;
    expect(bridge.target).toBe(spots[5]!.id);
    expect(bridge.cost).toBeCloseTo(0.04, 12);
    expect(trackSpots(spots, { maxLinkingDistance: 0.3, maxFrameGap: 0 }).map((t) => t.spotIds.length)).toEqual([5, 4]);
  });

  it('closes a gap of two frames only when maxFrameGap allows it and within maxGapClosingDistance', () => {
    const spots: Spot[] = [];
    for (let t = 0; t < 10; t++) if (t !== 4 && t !== 5) spots.push(spot(t, 0.1 * t));
    expect(trackSpots(spots, { maxLinkingDistance: 0.35, maxFrameGap: 1 })).toHaveLength(2);
    expect(trackSpots(spots, { maxLinkingDistance: 0.35, maxFrameGap: 2 })).toHaveLength(1);
    expect(trackSpots(spots, { maxLinkingDistance: 0.35, maxFrameGap: 2, maxGapClosingDistance: 0.25 })).toHaveLength(2);
  });

  function splitting(): Spot[] {
    // A parent moving along x; a daughter appears at frame 5 beside it and drifts away.
    const spots: Spot[] = [];
    for (let t = 0; t < 10; t++) spots.push(spot(t, 0.1 * t, 0));
    for (let t = 5; t < 10; t++) spots.push(spot(t, 0.5 + 0.1 * (t - 5), 0.3 + 0.05 * (t - 5)));
    return spots;
  }

  it('splits only when splitting is allowed', () => {
    const spots = splitting();
    expect(trackSpots(spots, { maxLinkingDistance: 0.5 }).map((t) => t.spotIds.length)).toEqual([10, 5]);
    const [track, ...rest] = trackSpots(spots, { maxLinkingDistance: 0.5, allowSplitting: true });
    expect(rest).toEqual([]);
    expect(track!.spotIds).toHaveLength(15);
    expect(track!.edges).toHaveLength(14);
    const parent = spots[4]!.id;
    expect(track!.edges.filter((e) => e.source === parent).map((e) => e.target)).toEqual([spots[5]!.id, spots[10]!.id]);
    expect(trackSpots(spots, { maxLinkingDistance: 0.5, allowSplitting: true, splittingMaxDistance: 0.2 })).toHaveLength(2);
    expect(trackSpots(spots, { maxLinkingDistance: 0.5, allowMerging: true })).toHaveLength(2);
  });

  it('merges only when merging is allowed', () => {
    // The time mirror of the split: a second spot runs into the first and ends at frame 4.
    const spots = splitting().map((s) => ({ ...s, frame: 9 - s.frame }));
    expect(trackSpots(spots, { maxLinkingDistance: 0.5 })).toHaveLength(2);
    expect(trackSpots(spots, { maxLinkingDistance: 0.5, allowSplitting: true })).toHaveLength(2);
    const merged = trackSpots(spots, { maxLinkingDistance: 0.5, allowMerging: true });
    expect(merged).toHaveLength(1);
    const target = merged[0]!.edges.filter((e) => e.target === spots[4]!.id).map((e) => e.source);
    expect(target.sort((a, b) => a - b)).toEqual([spots[5]!.id, spots[10]!.id]);
  });

  it('numbers tracks by their first spot, orders spots and edges, and leaves lone spots out', () => {
    const late = [spot(3, 5, 5, 0, 10), spot(4, 5.1, 5, 0, 11)];
    const early = [spot(1, 0, 0, 0, 20), spot(2, 0.1, 0, 0, 21), spot(3, 0.2, 0, 0, 22)];
    const lone = spot(0, 9, 9, 0, 30);
    const tracks = trackSpots([...late, lone, ...early], { maxLinkingDistance: 0.5 });
    expect(tracks).toEqual([
      {
        id: 0,
        spotIds: [20, 21, 22],
        edges: [
          { source: 20, target: 21, cost: expect.closeTo(0.01, 12) },
          { source: 21, target: 22, cost: expect.closeTo(0.01, 12) },
        ],
      },
      { id: 1, spotIds: [10, 11], edges: [{ source: 10, target: 11, cost: expect.closeTo(0.01, 12) }] },
    ]);
  });

  it('is deterministic and independent of input order', () => {
    const random = seededRandom(5);
    const spots: Spot[] = [];
    for (let t = 0; t < 15; t++) for (let k = 0; k < 40; k++) if (random() > 0.1) spots.push(spot(t, random() * 5, random() * 5, random()));
    const options = { maxLinkingDistance: 0.8, allowSplitting: true, allowMerging: true };
    const first = trackSpots(spots, options);
    const shuffled = [...spots].sort(() => random() - 0.5);
    expect(trackSpots(shuffled, options)).toEqual(first);
    expect(trackSpots(spots, options)).toEqual(first);
    expect(first.length).toBeGreaterThan(5);
  });

  it('recovers Brownian ground truth, closing gaps from missed detections', () => {
    const random = seededRandom(9);
    const particles = 150;
    const frames = 30;
    const pos = Array.from({ length: particles }, () => [random() * 20, random() * 20, random() * 5]);
    const truth = new Map<number, number>();
    const spots: Spot[] = [];
    for (let t = 0; t < frames; t++) {
      for (let p = 0; p < particles; p++) {
        const q = pos[p]!;
        for (let a = 0; a < 3; a++) q[a]! += (random() - 0.5) * 0.2;
        if (t > 0 && t < frames - 1 && random() < 0.03) continue;
        const s = spot(t, q[0]!, q[1]!, q[2]!);
        truth.set(s.id, p);
        spots.push(s);
      }
    }
    const tracks = trackSpots(spots, { maxLinkingDistance: 0.5 });
    let edges = 0;
    let correct = 0;
    for (const track of tracks)
      for (const e of track.edges) {
        edges++;
        if (truth.get(e.source) === truth.get(e.target)) correct++;
      }
    // Every particle gives one track (gaps closed), and nearly every link is right.
    expect(tracks.length).toBeGreaterThanOrEqual(particles);
    expect(tracks.length).toBeLessThan(particles * 1.05);
    expect(edges).toBeGreaterThan(spots.length - particles * 1.05);
    expect(correct / edges).toBeGreaterThan(0.99);
  });

  it('rejects invalid options and spots', () => {
    expect(() => trackSpots([], { maxLinkingDistance: 0 })).toThrow(RangeError);
    expect(() => trackSpots([], { maxLinkingDistance: 1, maxFrameGap: 1.5 })).toThrow(RangeError);
    expect(() => trackSpots([], { maxLinkingDistance: 1, cutoffPercentile: 0 })).toThrow(RangeError);
    expect(() => trackSpots([spot(0, 0, 0, 0, 1), spot(1, 0, 0, 0, 1)], { maxLinkingDistance: 1 })).toThrow(/duplicate/);
    expect(() => trackSpots([spot(-1, 0)], { maxLinkingDistance: 1 })).toThrow(RangeError);
    expect(trackSpots([], { maxLinkingDistance: 1 })).toEqual([]);
  });
});

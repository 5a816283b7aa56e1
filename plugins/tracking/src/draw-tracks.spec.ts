import { describe, expect, it } from 'vitest';
import { drawTrackFrame, type DrawTrackOptions } from './draw-tracks.js';
import { trackColor } from './track-colors.js';
import type { Spot, TrackingResult } from './track-model.js';

const W = 64;
const H = 48;
const PX = 0.5; // µm per pixel

function spot(id: number, frame: number, xPx: number, yPx: number): Spot {
  return { id, frame, x: xPx * PX, y: yPx * PX, z: 0, quality: 1, intensity: 1, radius: 2 };
}

/** Track 0 moves right along row 10 (one spot a frame, frames 0–5); track 1 lives at frames 8–9; spot 50 is alone. */
function sample(): TrackingResult {
  const t0 = [0, 1, 2, 3, 4, 5].map((f) => spot(f, f, 10 + 6 * f, 10));
  const t1 = [spot(20, 8, 20, 35), spot(21, 9, 30, 35)];
  return {
    spots: [...t0, ...t1, spot(50, 3, 50, 40)],
    tracks: [
      { id: 0, spotIds: t0.map((s) => s.id), edges: t0.slice(1).map((s, i) => ({ source: t0[i]!.id, target: s.id, cost: 36 })) },
      { id: 1, spotIds: [20, 21], edges: [{ source: 20, target: 21, cost: 100 }] },
    ],
    spaceUnit: 'µm',
    timeUnit: 's',
    frameInterval: 1,
  };
}

const mip = new Float32Array(W * H).fill(50);
const options: DrawTrackOptions = { pixelSize: { x: PX, y: PX }, tail: 3, spotRadiusPx: 4, lineWidth: 1 };
const pixel = (rgba: Uint8ClampedArray, x: number, y: number): number[] => Array.from(rgba.subarray((y * W + x) * 4, (y * W + x) * 4 + 4));
const GREY = [128, 128, 128, 255];

describe('drawTrackFrame', () => {
  it('draws the projection in grey through the window', () => {
    const values = new Float32Array(W * H);
    values[0] = 0;
    values[1] = 100;
    values[2] = 200;
    values[3] = NaN;
    const { width, height, rgba } = drawTrackFrame(values, { width: W, height: H }, { start: 0, end: 100 }, { ...sample(), tracks: [], spots: [] }, 0, options);
    expect([width, height]).toEqual([W, H]);
    expect(pixel(rgba, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(rgba, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(rgba, 2, 0)).toEqual([255, 255, 255, 255]);
    expect(pixel(rgba, 3, 0)).toEqual([0, 0, 0, 255]);
  });

  it('circles the current spot and draws the recent path in the track colour, fading with age', () => {
    const { rgba } = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, sample(), 4, options);
    const colour = [...trackColor(0), 255];
    // spot of frame 4 at (34, 10): circle of radius 4
    expect(pixel(rgba, 38, 10)).toEqual(colour);
    expect(pixel(rgba, 34, 14)).toEqual(colour);
    expect(pixel(rgba, 34, 6)).toEqual(colour);
    // path frames 1→4 (tail 3): x 16..34 on row 10; the newest segment more opaque than the oldest
    const near = pixel(rgba, 29, 10);
    const far = pixel(rgba, 18, 10);
    const strength = (p: number[]) => Math.abs(p[0]! - 128) + Math.abs(p[1]! - 128) + Math.abs(p[2]! - 128);
    expect(strength(near)).toBeGreaterThan(strength(far));
    expect(strength(far)).toBeGreaterThan(0);
    // older than the tail (frame 0 → 1, x 10..16) and the future (frame 5, x 40) not drawn
    expect(pixel(rgba, 12, 10)).toEqual(GREY);
    expect(pixel(rgba, 44, 10)).toEqual(GREY);
    expect(pixel(rgba, 40, 6)).toEqual(GREY);
    // track 1 has not started
    expect(pixel(rgba, 25, 35)).toEqual(GREY);
  });

  it('shows an ended track as its fading path without a circle, until it is older than the tail', () => {
    const result = sample();
    const at7 = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, result, 7, options).rgba;
    expect(pixel(at7, 37, 10)).not.toEqual(GREY); // link 4→5 (x 34..40), ages 3 and 2
    expect(pixel(at7, 44, 10)).toEqual(GREY); // no circle at frame 5's spot
    const at9 = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, result, 9, options).rgba;
    expect(pixel(at9, 37, 10)).toEqual(GREY);
    expect(pixel(at9, 30, 35)).toEqual([...trackColor(1), 255]); // the newest end of its path, opaque
  });

  it('draws lone spots as grey circles on their frame only', () => {
    const result = sample();
    const at3 = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, result, 3, options).rgba;
    const ring = pixel(at3, 50 + 3, 40); // radius 0.8 × 4 px
    expect(ring[0]).toBeGreaterThan(140);
    expect(ring[0]).toBe(ring[1]);
    expect(ring[1]).toBe(ring[2]);
    expect(pixel(drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, result, 4, options).rgba, 53, 40)).toEqual(GREY);
  });

  it('takes colours from colorOf, places spots by pixel size and origin, and sizes circles by spot radius by default', () => {
    const result = sample();
    const { rgba } = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, result, 9, {
      pixelSize: { x: PX, y: PX },
      origin: { x: 2, y: -3 },
      colorOf: () => [0, 255, 0],
      lineWidth: 1,
    });
    // spot 21 at (30, 35) px moves to (32, 32); its radius 2 µm is 4 px
    expect(pixel(rgba, 36, 32)).toEqual([0, 255, 0, 255]);
    expect(pixel(rgba, 32, 28)).toEqual([0, 255, 0, 255]);
  });

  it('links consecutive spots when a track lists no edges', () => {
    const result = sample();
    const noEdges: TrackingResult = { ...result, tracks: [{ ...result.tracks[1]!, edges: [] }] };
    const { rgba } = drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 100 }, noEdges, 9, options);
    expect(pixel(rgba, 24, 35)).not.toEqual(GREY);
  });

  it('rejects a projection of the wrong size and tracks holding unknown spots', () => {
    expect(() => drawTrackFrame(new Float32Array(3), { width: W, height: H }, { start: 0, end: 1 }, sample(), 0, options)).toThrow(RangeError);
    const broken: TrackingResult = { ...sample(), tracks: [{ id: 7, spotIds: [0, 99], edges: [{ source: 0, target: 99, cost: 0 }] }] };
    expect(() => drawTrackFrame(mip, { width: W, height: H }, { start: 0, end: 1 }, broken, 0, options)).toThrow(/track 7 holds spot 99/);
  });
});

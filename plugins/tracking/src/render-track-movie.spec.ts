import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { renderTrackMovie } from './render-track-movie.js';
import { trackColor } from './track-colors.js';
import type { Spot, TrackingResult } from './track-model.js';

const PX = 0.1;

/** One track crossing a `width × height` field diagonally over `frames` frames, a bright blob at each spot on a dim background. */
function scene(width: number, height: number, frames: number): { mips: Float32Array[]; result: TrackingResult; at: (t: number) => [number, number] } {
  const at = (t: number): [number, number] => [10 + ((width - 20) * t) / (frames - 1), 10 + ((height - 20) * t) / (frames - 1)];
  const spots: Spot[] = Array.from({ length: frames }, (_, t) => ({
    id: t,
    frame: t,
    x: at(t)[0] * PX,
    y: at(t)[1] * PX,
    z: 0,
    quality: 1,
    intensity: 1,
    radius: 0.3,
  }));
  const mips = Array.from({ length: frames }, (_, t) => {
    const mip = new Float32Array(width * height);
    const [cx, cy] = at(t);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mip[y * width + x] = 100 + (x % 7) + 1000 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8);
    return mip;
  });
  const result: TrackingResult = {
    spots,
    tracks: [{ id: 0, spotIds: spots.map((s) => s.id), edges: spots.slice(1).map((s, i) => ({ source: i, target: s.id, cost: 1 })) }],
    spaceUnit: 'µm',
    timeUnit: 's',
    frameInterval: 1,
  };
  return { mips, result, at };
}

/** The centroid of the coloured (not grey) pixels, each weighted by its saturation (max − min channel). */
function colourCentroid(frame: { width: number; rgba: Uint8ClampedArray }): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let p = 0; p < frame.rgba.length / 4; p++) {
    const [r, g, b] = [frame.rgba[p * 4]!, frame.rgba[p * 4 + 1]!, frame.rgba[p * 4 + 2]!];
    const w = Math.max(r, g, b) - Math.min(r, g, b);
    sx += w * (p % frame.width);
    sy += w * Math.floor(p / frame.width);
    n += w;
  }
  expect(n).toBeGreaterThan(0);
  return [sx / n, sy / n];
}

/** The centroid of the pixels of one exact colour. */
function centroid(frame: { width: number; rgba: Uint8ClampedArray }, rgb: readonly number[]): [number, number] {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let p = 0; p < frame.rgba.length / 4; p++) {
    if (frame.rgba[p * 4] === rgb[0] && frame.rgba[p * 4 + 1] === rgb[1] && frame.rgba[p * 4 + 2] === rgb[2]) {
      sx += p % frame.width;
      sy += Math.floor(p / frame.width);
      n++;
    }
  }
  expect(n).toBeGreaterThan(0);
  return [sx / n, sy / n];
}

function chunkTypes(png: Uint8Array): string[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const types: string[] = [];
  for (let at = 8; at < png.length; at += 12 + view.getUint32(at)) {
    const length = view.getUint32(at);
    expect(view.getUint32(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
    types.push(String.fromCharCode(...png.subarray(at + 4, at + 8)));
  }
  return types;
}

describe('renderTrackMovie', () => {
  it('draws one frame per projection at full size and encodes them as an APNG', () => {
    const { mips, result, at } = scene(80, 60, 5);
    const movie = renderTrackMovie({ mips, width: 80, height: 60, result, pixelSize: { x: PX, y: PX } }, { spotRadiusPx: 5 });
    expect(movie.frames).toHaveLength(5);
    expect(movie.frames.every((f) => f.width === 80 && f.height === 60)).toBe(true);
    const types = chunkTypes(movie.apng);
    expect(types.filter((t) => t === 'fcTL')).toHaveLength(5);
    expect(types.filter((t) => t === 'fdAT')).toHaveLength(4);
    const [cx, cy] = centroid(movie.frames[4]!, trackColor(0));
    // the circle and the opaque end of the path pull the centroid slightly towards the past
    expect(Math.hypot(cx - at(4)[0], cy - at(4)[1])).toBeLessThan(3);
  });

  it('windows all frames alike (0.1–99.9 % of all projections): the background keeps its grey', () => {
    const { mips, result } = scene(80, 60, 4);
    const movie = renderTrackMovie({ mips, width: 80, height: 60, result: { ...result, tracks: [], spots: [] }, pixelSize: { x: PX, y: PX } });
    const greys = movie.frames.map((f) => f.rgba[(55 * 80 + 3) * 4]);
    expect(new Set(greys).size).toBe(1);
    const brightest = movie.frames.map((f) => Math.max(...f.rgba.filter((_, i) => i % 4 === 0)));
    expect(brightest.every((v) => v === 255)).toBe(true);
  });

  it('uses a given window', () => {
    const { mips, result } = scene(40, 30, 2);
    const movie = renderTrackMovie(
      { mips, width: 40, height: 30, result: { ...result, tracks: [], spots: [] }, pixelSize: { x: PX, y: PX } },
      { window: { start: 0, end: 2000 } },
    );
    expect(movie.frames[0]!.rgba[29 * 40 * 4]).toBe(Math.round((100 / 2000) * 255));
  });

  it('shrinks a large projection to maxSize on its long side, keeping spots on their blobs', () => {
    const { mips, result, at } = scene(400, 200, 3);
    const movie = renderTrackMovie({ mips, width: 400, height: 200, result, pixelSize: { x: PX, y: PX } }, { maxSize: 100, spotRadiusPx: 3, tail: 0 });
    const frame = movie.frames[1]!;
    expect([frame.width, frame.height]).toEqual([100, 50]);
    const [cx, cy] = colourCentroid(frame);
    // projection pixel p lands at movie pixel (p + 0.5) / 4 − 0.5: (200, 100) at (49.625, 24.625)
    expect(Math.abs(cx - ((at(1)[0] + 0.5) / 4 - 0.5))).toBeLessThan(0.1);
    expect(Math.abs(cy - ((at(1)[1] + 0.5) / 4 - 0.5))).toBeLessThan(0.1);
    // and on the shrunk blob: the brightest grey pixel
    let best = 0;
    for (let p = 1; p < 100 * 50; p++) if (frame.rgba[p * 4 + 1]! === frame.rgba[p * 4]! && frame.rgba[p * 4]! > frame.rgba[best * 4]!) best = p;
    expect(Math.abs((best % 100) - cx)).toBeLessThanOrEqual(1);
    expect(Math.abs(Math.floor(best / 100) - cy)).toBeLessThanOrEqual(1);
  });

  it('never enlarges a small projection', () => {
    const { mips, result } = scene(30, 20, 2);
    const movie = renderTrackMovie({ mips, width: 30, height: 20, result, pixelSize: { x: PX, y: PX } }, { maxSize: 4096 });
    expect([movie.frames[0]!.width, movie.frames[0]!.height]).toEqual([30, 20]);
  });

  it('rejects no projections and projections of the wrong size', () => {
    const { result } = scene(30, 20, 2);
    expect(() => renderTrackMovie({ mips: [], width: 30, height: 20, result, pixelSize: { x: PX, y: PX } })).toThrow(/at least one/);
    expect(() => renderTrackMovie({ mips: [new Float32Array(10)], width: 30, height: 20, result, pixelSize: { x: PX, y: PX } })).toThrow(/projection 0/);
    expect(() => renderTrackMovie({ mips: [new Float32Array(600)], width: 30, height: 20, result, pixelSize: { x: PX, y: PX } }, { maxSize: 0 })).toThrow(
      /maxSize/,
    );
  });
});

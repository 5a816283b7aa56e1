import { fitSize, resamplePlane, WindowSampler, type RgbaImage } from '@bioimageit/core';
import { encodeApng } from './apng.js';
import { drawTrackFrame } from './draw-tracks.js';
import type { TrackingResult } from './track-model.js';

/** What {@link renderTrackMovie} draws. */
export interface TrackMovieInput {
  /** One maximum projection per frame (frame `t` is `mips[t]`), each `width × height` values, row-major. */
  readonly mips: readonly Float32Array[];
  readonly width: number;
  readonly height: number;
  readonly result: TrackingResult;
  /** Physical size of a projection pixel along x and y (the result's `spaceUnit`). */
  readonly pixelSize: { readonly x: number; readonly y: number };
}

/** Options of {@link renderTrackMovie}. */
export interface TrackMovieOptions {
  /** Frames of history drawn behind each spot (default 10). */
  readonly tail?: number;
  /** How long each frame shows, in milliseconds (default 100: 10 frames a second). */
  readonly delayMs?: number;
  /** Longest side of the movie in pixels (default 1024): larger projections are shrunk (area mean), smaller ones never enlarged. */
  readonly maxSize?: number;
  /** Display window of the projections (default: the 0.1 % and 99.9 % quantiles of a sample of all frames). */
  readonly window?: { readonly start: number; readonly end: number };
  /** Radius of the spot circles in movie pixels (default: each spot's radius, at least 3 pixels). */
  readonly spotRadiusPx?: number;
  /** Width of paths and circles in movie pixels (default 1.5). */
  readonly lineWidth?: number;
}

/** The frames of a track movie and the same frames as one animated PNG. */
export interface TrackMovie {
  readonly frames: RgbaImage[];
  readonly apng: Uint8Array;
}

/**
 * A movie of tracks over maximum projections, one frame per projection, as the lattice light-sheet
 * showcase shows it: each frame drawn by {@link drawTrackFrame} through one display window shared
 * by all frames (so brightness does not flicker), and the frames encoded by `encodeApng`.
 *
 * A projection whose longer side exceeds `maxSize` is shrunk by an area mean (`resamplePlane`) and
 * the spots are placed where their positions fall in the shrunk image (a movie pixel covers
 * `width / movieWidth` projection pixels; pixel centres stay aligned). Throws RangeError for no
 * projections, one that is not `width × height` values, or a `maxSize` below 1.
 */
export function renderTrackMovie(input: TrackMovieInput, options: TrackMovieOptions = {}): TrackMovie {
  const { mips, width, height, result, pixelSize } = input;
  if (mips.length === 0) throw new RangeError('a track movie needs at least one projection');
  mips.forEach((mip, t) => {
    if (mip.length !== width * height) throw new RangeError(`projection ${t} has ${mip.length} values, not ${width}×${height}`);
  });
  const maxSize = options.maxSize ?? 1024;
  if (!(maxSize >= 1)) throw new RangeError(`maxSize ${maxSize} is below 1 pixel`);
  const window = options.window ?? sharedWindow(mips);
  const out = Math.max(width, height) > maxSize ? fitSize(width, height, Math.floor(maxSize)) : { width, height };
  const scaleX = width / out.width;
  const scaleY = height / out.height;
  // Projection pixel p spans [p − ½, p + ½]; movie pixel q covers projection [q·s − ½, (q + 1)·s − ½], centred at q·s + (s − 1)/2.
  const origin = { x: -(scaleX - 1) / 2 / scaleX, y: -(scaleY - 1) / 2 / scaleY };
  const moviePixel = { x: pixelSize.x * scaleX, y: pixelSize.y * scaleY };
  const region = { x: 0, y: 0, width, height };
  const frames = mips.map((mip, t) => {
    const plane = out.width === width && out.height === height ? mip : resamplePlane(mip, width, height, 1, region, out.width, out.height).values;
    return drawTrackFrame(plane, out, window, result, t, {
      pixelSize: moviePixel,
      origin,
      ...(options.tail !== undefined && { tail: options.tail }),
      ...(options.spotRadiusPx !== undefined && { spotRadiusPx: options.spotRadiusPx }),
      ...(options.lineWidth !== undefined && { lineWidth: options.lineWidth }),
    });
  });
  return { frames, apng: encodeApng(frames, { delayMs: options.delayMs ?? 100 }) };
}

/** The 0.1 %–99.9 % window of a sample of all projections. */
function sharedWindow(mips: readonly Float32Array[]): { start: number; end: number } {
  const sampler = new WindowSampler();
  for (const mip of mips) sampler.add(mip);
  const { start, end } = sampler.window(0.001, 0.999);
  return { start, end };
}

import { compositeRgba, type RgbaImage } from '@bioimageit/core';
import { CoverageMask } from './raster-mask.js';
import { trackColor, type Rgb } from './track-colors.js';
import type { Spot, TrackingResult } from './track-model.js';

/** Options of {@link drawTrackFrame}. */
export interface DrawTrackOptions {
  /** Physical size of one pixel of the projection along x and y (the result's `spaceUnit`). */
  readonly pixelSize: { readonly x: number; readonly y: number };
  /**
   * Where physical (0, 0) lies in the projection, in pixels (default (0, 0): the centre of pixel
   * (0, 0), the model's convention). A downscaled projection moves it, see `renderTrackMovie`.
   */
  readonly origin?: { readonly x: number; readonly y: number };
  /** Frames of history drawn behind each spot (default 10; 0 draws no paths). */
  readonly tail?: number;
  /** Radius of the spot circles in pixels (default: each spot's `radius` in pixels, at least 3). */
  readonly spotRadiusPx?: number;
  /** Width of paths and circles in pixels (default 1.5). */
  readonly lineWidth?: number;
  /** The colour of a track (default {@link trackColor}). */
  readonly colorOf?: (trackId: number) => Rgb;
}

/** Grey of spots in no track. */
const LONE_GREY: Rgb = [175, 175, 175];
/** Opacity of the oldest segment of a path; the newest is opaque. */
const OLDEST_ALPHA = 0.15;

/** One link of a track in physical coordinates, `f0` ≤ `f1`. */
interface Segment {
  readonly x0: number;
  readonly y0: number;
  readonly f0: number;
  readonly x1: number;
  readonly y1: number;
  readonly f1: number;
}

/** A track as drawn: its links, its spots by frame, its first and last frame. */
interface DrawnTrack {
  readonly id: number;
  readonly segments: readonly Segment[];
  readonly spots: readonly Spot[];
  readonly first: number;
  readonly last: number;
}

/** What drawing needs of a result, computed once per result object. */
interface TrackIndex {
  readonly tracks: readonly DrawnTrack[];
  readonly loneByFrame: ReadonlyMap<number, readonly Spot[]>;
}

const indexes = new WeakMap<TrackingResult, TrackIndex>();

/**
 * One frame of a track movie, as napari's tracks layer and TrackMate's overlay draw it: the
 * maximum projection `mip` (`width × height` values, row-major) in grey through `window`, then
 * every spot in no track at this frame as a small grey circle, then, per track (in its colour,
 * {@link DrawTrackOptions.colorOf}), its links of the last `tail` frames as an anti-aliased path
 * fading with age (opaque at `frame`, faint `tail` frames back) and a circle at its spot of this
 * frame. A track that has ended shows its fading path until it is more than `tail` frames old; a
 * link is drawn once both its spots are within the last `tail` frames.
 *
 * Spots land at pixel `origin + position / pixelSize` (x and y; z is projected away). Throws
 * RangeError when `mip` is not `width × height` values or a track links a spot the result lacks.
 */
export function drawTrackFrame(
  mip: Float32Array,
  size: { readonly width: number; readonly height: number },
  window: { readonly start: number; readonly end: number },
  result: TrackingResult,
  frame: number,
  options: DrawTrackOptions,
): RgbaImage {
  const { width, height } = size;
  if (mip.length !== width * height) throw new RangeError(`a ${width}×${height} projection has ${width * height} values, not ${mip.length}`);
  const image = compositeRgba([{ width, height, samples: 1, values: mip }], [{ color: '#ffffff', active: true, start: window.start, end: window.end }]);
  const tail = Math.max(0, Math.floor(options.tail ?? 10));
  const lineWidth = options.lineWidth ?? 1.5;
  const colorOf = options.colorOf ?? trackColor;
  const { x: sx, y: sy } = options.pixelSize;
  const { x: ox, y: oy } = options.origin ?? { x: 0, y: 0 };
  const px = (x: number): number => ox + x / sx;
  const py = (y: number): number => oy + y / sy;
  const radiusOf = (spot: Spot): number => options.spotRadiusPx ?? Math.max(3, spot.radius / sx || 0);
  const index = trackIndex(result);
  const mask = new CoverageMask(width, height);

  for (const spot of index.loneByFrame.get(frame) ?? []) {
    mask.strokeCircle(px(spot.x), py(spot.y), radiusOf(spot) * 0.8, Math.max(1, lineWidth * 0.75), 0.85);
  }
  mask.paint(image, LONE_GREY);

  const since = frame - tail;
  const fade = (f: number): number => (tail === 0 ? 1 : 1 - ((1 - OLDEST_ALPHA) * (frame - f)) / tail);
  for (const track of index.tracks) {
    if (track.first > frame || track.last < since) continue;
    for (const s of track.segments) {
      if (s.f0 >= since && s.f1 <= frame) mask.strokeSegment(px(s.x0), py(s.y0), px(s.x1), py(s.y1), lineWidth, fade(s.f0), fade(s.f1));
    }
    for (const spot of track.spots) {
      if (spot.frame === frame) mask.strokeCircle(px(spot.x), py(spot.y), radiusOf(spot), lineWidth, 1);
    }
    mask.paint(image, colorOf(track.id));
  }
  return image;
}

/** The drawing index of `result`, built on first use and kept as long as the result object lives. */
function trackIndex(result: TrackingResult): TrackIndex {
  const known = indexes.get(result);
  if (known) return known;
  const byId = new Map<number, Spot>();
  for (const spot of result.spots) byId.set(spot.id, spot);
  const spotOf = (trackId: number, id: number): Spot => {
    const spot = byId.get(id);
    if (spot === undefined) throw new RangeError(`track ${trackId} holds spot ${id}, which is not among the result's spots`);
    return spot;
  };
  const inTracks = new Set<number>();
  const tracks = result.tracks.map((track): DrawnTrack => {
    const spots = track.spotIds.map((id) => spotOf(track.id, id));
    for (const id of track.spotIds) inTracks.add(id);
    const links: [Spot, Spot][] =
      track.edges.length > 0 ? track.edges.map((e) => [spotOf(track.id, e.source), spotOf(track.id, e.target)]) : spots.slice(1).map((s, i) => [spots[i]!, s]);
    const segments = links.map(([a, b]) => (a.frame <= b.frame ? segment(a, b) : segment(b, a)));
    let first = Infinity;
    let last = -Infinity;
    for (const s of spots) {
      first = Math.min(first, s.frame);
      last = Math.max(last, s.frame);
    }
    return { id: track.id, segments, spots, first, last };
  });
  const loneByFrame = new Map<number, Spot[]>();
  for (const spot of result.spots) {
    if (inTracks.has(spot.id)) continue;
    const list = loneByFrame.get(spot.frame);
    if (list) list.push(spot);
    else loneByFrame.set(spot.frame, [spot]);
  }
  const index = { tracks, loneByFrame };
  indexes.set(result, index);
  return index;
}

function segment(a: Spot, b: Spot): Segment {
  return { x0: a.x, y0: a.y, f0: a.frame, x1: b.x, y1: b.y, f1: b.frame };
}

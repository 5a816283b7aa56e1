import { parseHexColor, type ChannelDisplay } from './channel-display.js';
import type { FloatPlane } from './resample.js';

/** An 8-bit RGBA image, row-major, opaque. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/**
 * The composite of single-sample channel planes (all of one size): each active channel is
 * windowed (`start` → 0, `end` → 1, clamped) and added in its colour; sums above full intensity
 * saturate, as in napari's additive blending and OMERO's rendering. No active channel gives black.
 */
export function compositeRgba(planes: readonly (FloatPlane | undefined)[], displays: readonly ChannelDisplay[]): RgbaImage {
  const first = planes.find((p) => p !== undefined);
  const width = first?.width ?? 1;
  const height = first?.height ?? 1;
  const pixels = width * height;
  const sums = new Float32Array(pixels * 3);
  planes.forEach((plane, c) => {
    const display = displays[c];
    if (plane === undefined || display === undefined || !display.active) return;
    if (plane.width !== width || plane.height !== height || plane.samples !== 1) {
      throw new RangeError(`channel ${c} is ${plane.width}×${plane.height}×${plane.samples}, not ${width}×${height}×1 as the others`);
    }
    const [r, g, b] = parseHexColor(display.color).map((v) => v / 255) as [number, number, number];
    const scale = 1 / (display.end - display.start || 1);
    for (let p = 0; p < pixels; p++) {
      let v = ((plane.values[p] as number) - display.start) * scale;
      if (!(v > 0)) continue; // also NaN
      if (v > 1) v = 1;
      sums[p * 3]! += v * r;
      sums[p * 3 + 1]! += v * g;
      sums[p * 3 + 2]! += v * b;
    }
  });
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    rgba[p * 4] = Math.round(sums[p * 3]! * 255);
    rgba[p * 4 + 1] = Math.round(sums[p * 3 + 1]! * 255);
    rgba[p * 4 + 2] = Math.round(sums[p * 3 + 2]! * 255);
    rgba[p * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/** An RGB(A) plane (3 or 4 samples a pixel) drawn as it is, every sample through one window; alpha is made opaque. */
export function colourRgba(plane: FloatPlane, display: Pick<ChannelDisplay, 'start' | 'end'>): RgbaImage {
  if (plane.samples < 3) throw new RangeError(`an RGB plane has 3 or 4 samples a pixel, not ${plane.samples}`);
  const pixels = plane.width * plane.height;
  const scale = 255 / (display.end - display.start || 1);
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    for (let s = 0; s < 3; s++) rgba[p * 4 + s] = Math.round(((plane.values[p * plane.samples + s] as number) - display.start) * scale);
    rgba[p * 4 + 3] = 255;
  }
  return { width: plane.width, height: plane.height, rgba };
}

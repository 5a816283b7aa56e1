import type { Plane } from './image-plane.js';

/** Display range of a plane: the low and high percentiles of its values (0.1 and 99.9 by default). */
export function displayRange(plane: Plane, low = 0.001, high = 0.999): { readonly min: number; readonly max: number } {
  const n = plane.values.length;
  if (n === 0) return { min: 0, max: 1 };
  const step = Math.max(1, Math.floor(n / 65536));
  const sample: number[] = [];
  for (let i = 0; i < n; i += step) {
    const v = plane.values[i] as number;
    if (Number.isFinite(v)) sample.push(v);
  }
  if (sample.length === 0) return { min: 0, max: 1 };
  sample.sort((a, b) => a - b);
  const at = (q: number) => sample[Math.min(sample.length - 1, Math.max(0, Math.round(q * (sample.length - 1))))] as number;
  let min = at(low);
  let max = at(high);
  if (max <= min) {
    min = sample[0] as number;
    max = sample[sample.length - 1] as number;
  }
  return max > min ? { min, max } : { min, max: min + 1 };
}

/**
 * RGBA bytes of a plane, contrast-stretched linearly between the plane's display range: a gray
 * image for one sample per pixel, colour for 3 (RGB) or 4 (RGBA, alpha kept opaque).
 */
export function planeToRgba(plane: Plane): Uint8ClampedArray {
  const { min, max } = displayRange(plane);
  const scale = 255 / (max - min);
  const pixels = plane.width * plane.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  const s = plane.samples;
  for (let p = 0; p < pixels; p++) {
    const o = p * 4;
    if (s >= 3) {
      rgba[o] = ((plane.values[p * s] as number) - min) * scale;
      rgba[o + 1] = ((plane.values[p * s + 1] as number) - min) * scale;
      rgba[o + 2] = ((plane.values[p * s + 2] as number) - min) * scale;
    } else {
      const g = ((plane.values[p * s] as number) - min) * scale;
      rgba[o] = g;
      rgba[o + 1] = g;
      rgba[o + 2] = g;
    }
    rgba[o + 3] = 255;
  }
  return rgba;
}

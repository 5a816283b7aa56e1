import type { PixelArray } from '@bioimageit/core';
import type { Plane } from './image-plane.js';

/**
 * A displayable plane from pixels of axes `YX` or `YXS` (what core's `readPlane` returns), as
 * float32 values, reduced by block means by the largest integer factor that keeps its longer side
 * at least `maxSide` (no pixel lost or counted twice; the renderer then scales smoothly to the
 * exact size). A plane less than twice `maxSide` is copied unchanged.
 */
export function fitPlane(pixels: PixelArray, maxSide: number): Plane {
  if (pixels.axes !== 'YX' && pixels.axes !== 'YXS') throw new RangeError(`axes '${pixels.axes}' are not a plane (YX or YXS)`);
  const [height, width, samples = 1] = pixels.shape as [number, number, number?];
  const factor = Math.max(1, Math.floor(Math.max(width, height) / Math.max(1, maxSide)));
  if (factor === 1) return { width, height, samples, values: Float32Array.from(pixels.data as ArrayLike<number>) };
  const outW = Math.ceil(width / factor);
  const outH = Math.ceil(height / factor);
  const sums = new Float64Array(outW * outH * samples);
  const counts = new Uint32Array(outW * outH);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * outW;
    for (let x = 0; x < width; x++) {
      const cell = row + Math.floor(x / factor);
      counts[cell]! += 1;
      const from = (y * width + x) * samples;
      for (let s = 0; s < samples; s++) sums[cell * samples + s]! += pixels.data[from + s] as number;
    }
  }
  const values = new Float32Array(sums.length);
  for (let i = 0; i < values.length; i++) values[i] = sums[i]! / counts[Math.floor(i / samples)]!;
  return { width: outW, height: outH, samples, values };
}

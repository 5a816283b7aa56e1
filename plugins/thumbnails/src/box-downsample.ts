import type { DisplayPlane } from './max-projection.js';

/** Width and height of a thumbnail: the long side at most `maxSize`, aspect kept, never enlarged. */
export function thumbnailSize(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Shrinks a plane to `width` × `height` by averaging the source pixels each target pixel covers
 * (a box filter: no aliasing of fine structures). Non-finite values are left out of the averages.
 * Returns the plane itself when the size is unchanged.
 */
export function boxDownsample(plane: DisplayPlane, width: number, height: number): DisplayPlane {
  if (width === plane.width && height === plane.height) return plane;
  const { channels } = plane;
  const out = new Float32Array(width * height * channels);
  const sums = new Float64Array(channels);
  const counts = new Uint32Array(channels);
  for (let ty = 0; ty < height; ty++) {
    const y0 = Math.floor((ty * plane.height) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * plane.height) / height));
    for (let tx = 0; tx < width; tx++) {
      const x0 = Math.floor((tx * plane.width) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * plane.width) / width));
      sums.fill(0);
      counts.fill(0);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const at = (y * plane.width + x) * channels;
          for (let c = 0; c < channels; c++) {
            const v = plane.data[at + c] as number;
            if (Number.isFinite(v)) {
              sums[c] = (sums[c] as number) + v;
              counts[c] = (counts[c] as number) + 1;
            }
          }
        }
      }
      const to = (ty * width + tx) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = (counts[c] as number) > 0 ? (sums[c] as number) / (counts[c] as number) : NaN;
    }
  }
  return { width, height, channels, data: out };
}

/** A rectangle of an image in full-resolution pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A plane of float values, `samples` per pixel interleaved, row-major. */
export interface FloatPlane {
  readonly width: number;
  readonly height: number;
  readonly samples: number;
  readonly values: Float32Array;
}

/**
 * The `region` of a plane resized to `outWidth × outHeight`, separably along X then Y. Along an
 * axis that shrinks, each output pixel is the mean of the source pixels its footprint covers
 * (pixels cut by the footprint's edges count by the fraction covered: nothing lost, nothing
 * counted twice); along an axis that grows, the nearest source pixel (crisp pixels when zoomed in,
 * as napari and Fiji show them).
 *
 * Throws RangeError for an empty region or one that leaves the plane.
 */
export function resamplePlane(
  values: ArrayLike<number>,
  width: number,
  height: number,
  samples: number,
  region: Region,
  outWidth: number,
  outHeight: number,
): FloatPlane {
  const { x, y, width: rw, height: rh } = region;
  if (![x, y, rw, rh].every(Number.isInteger) || rw < 1 || rh < 1 || x < 0 || y < 0 || x + rw > width || y + rh > height) {
    throw new RangeError(`region ${x},${y},${rw},${rh} is outside the image (${width}×${height})`);
  }
  if (outWidth < 1 || outHeight < 1) throw new RangeError(`output size ${outWidth}×${outHeight} is empty`);
  const xs = axisWeights(x, rw, outWidth);
  const ys = axisWeights(y, rh, outHeight);
  // along X: rh rows of the region → outWidth columns
  const rows = new Float32Array(rh * outWidth * samples);
  for (let r = 0; r < rh; r++) {
    const src = (y + r) * width;
    const dst = r * outWidth;
    for (let o = 0; o < outWidth; o++) {
      const { from, weights } = xs[o]!;
      for (let s = 0; s < samples; s++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += (values[(src + from + k) * samples + s] as number) * weights[k]!;
        rows[(dst + o) * samples + s] = sum;
      }
    }
  }
  // along Y: rh rows → outHeight rows
  const out = new Float32Array(outWidth * outHeight * samples);
  const rowSize = outWidth * samples;
  for (let o = 0; o < outHeight; o++) {
    const { from, weights } = ys[o]!;
    const dst = o * rowSize;
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k]!;
      const src = (from - y + k) * rowSize;
      for (let i = 0; i < rowSize; i++) out[dst + i]! += rows[src + i]! * w;
    }
  }
  return { width: outWidth, height: outHeight, samples, values: out };
}

/** For each output pixel along one axis: the first source index and the weights of the source pixels it averages (summing to 1). */
function axisWeights(origin: number, length: number, out: number): { from: number; weights: Float32Array }[] {
  const result: { from: number; weights: Float32Array }[] = [];
  const scale = length / out;
  for (let o = 0; o < out; o++) {
    if (scale <= 1) {
      result.push({ from: origin + Math.min(length - 1, Math.floor((o + 0.5) * scale)), weights: Float32Array.of(1) });
      continue;
    }
    const start = o * scale;
    const end = (o + 1) * scale;
    const first = Math.floor(start);
    const last = Math.min(length, Math.ceil(end));
    const weights = new Float32Array(last - first);
    for (let i = first; i < last; i++) weights[i - first] = (Math.min(end, i + 1) - Math.max(start, i)) / scale;
    result.push({ from: origin + first, weights });
  }
  return result;
}

/** The output size of a `width × height` region drawn with its longer side `size` pixels long (at least 1 × 1). */
export function fitSize(width: number, height: number, size: number): { width: number; height: number } {
  const scale = size / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

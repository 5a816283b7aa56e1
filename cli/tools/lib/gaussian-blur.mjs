/**
 * Separable Gaussian smoothing of the YX planes of an image, pure functions over typed arrays
 * (no I/O), used by `blur.mjs` and unit-tested from `cli/src/bundled-tools`.
 */
import { checkPlanes, convertToDtype } from './pixel-planes.mjs';

/**
 * The normalized weights of a 1-D Gaussian of standard deviation `sigma` (pixels), truncated at
 * three sigmas: `2 * ceil(3 * sigma) + 1` weights summing to 1. `sigma` 0 gives `[1]` (no blur).
 * @param {number} sigma
 * @returns {Float64Array}
 */
export function gaussianKernel(sigma) {
  if (!Number.isFinite(sigma) || sigma < 0) throw new RangeError(`sigma must be a finite number >= 0, got ${sigma}`);
  if (sigma === 0) return Float64Array.of(1);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const weights = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    weights[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < weights.length; i++) weights[i] /= sum;
  return weights;
}

/**
 * Source index for every tap of a line of `n` samples: positions outside the line are mirrored
 * about its edges (`d c b a | a b c d | d c b a`, scipy's `reflect`), so a constant image stays
 * constant and nothing leaks in from outside.
 * @param {number} n
 * @param {number} radius
 * @returns {Int32Array} `(n + 2 * radius)` indexes: tap `t` of output `i` reads `table[i + t]`
 */
function reflectTable(n, radius) {
  const table = new Int32Array(n + 2 * radius);
  const period = 2 * n;
  for (let k = 0; k < table.length; k++) {
    const m = (((k - radius) % period) + period) % period;
    table[k] = m < n ? m : period - 1 - m;
  }
  return table;
}

/**
 * Blurs `planes` consecutive planes of `height` × `width` samples (C order) with a Gaussian of
 * `sigma` pixels along X then Y; planes never mix. Returns the values as float64.
 * @param {ArrayLike<number>} data
 * @param {number} planes
 * @param {number} height
 * @param {number} width
 * @param {number} sigma
 * @returns {Float64Array}
 */
export function blurPlanes(data, planes, height, width, sigma) {
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const size = height * width;
  if (data.length !== planes * size) throw new RangeError(`expected ${planes * size} samples (${planes} × ${height} × ${width}), got ${data.length}`);
  const out = new Float64Array(planes * size);
  const along = new Float64Array(size);
  const xs = reflectTable(width, radius);
  const ys = reflectTable(height, radius);
  for (let p = 0; p < planes; p++) {
    const base = p * size;
    for (let y = 0; y < height; y++) {
      const row = base + y * width;
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let t = 0; t < kernel.length; t++) acc += kernel[t] * data[row + xs[x + t]];
        along[y * width + x] = acc;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let t = 0; t < kernel.length; t++) acc += kernel[t] * along[ys[y + t] * width + x];
        out[base + y * width + x] = acc;
      }
    }
  }
  return out;
}

/**
 * Blurs every YX plane of an image (any leading axes: Z, C, T) and returns an image of the same
 * shape, axes, physical sizes and pixel type (integers rounded and clamped to their range).
 * @param {import('@bioimageit/core').PixelArray} pixels
 * @param {number} sigma
 * @returns {import('@bioimageit/core').PixelArray}
 */
export function gaussianBlur(pixels, sigma) {
  const { planes, height, width } = checkPlanes(pixels);
  const values = blurPlanes(pixels.data, planes, height, width, sigma);
  return { ...pixels, data: convertToDtype(values, pixels.dtype) };
}

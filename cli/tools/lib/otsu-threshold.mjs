/**
 * Global thresholding: Otsu's method (core's `otsuThreshold`) and the binary mask of a threshold. Pure functions over
 * typed arrays (no I/O), used by `threshold.mjs` and unit-tested from `cli/src/bundled-tools`.
 */

export { otsuThreshold } from '@bioimageit/core';

/**
 * The binary mask of `value > threshold`: 255 for foreground, 0 for background (NaN is background).
 * @param {ArrayLike<number>} data
 * @param {number} threshold
 * @returns {Uint8Array}
 */
export function thresholdMask(data, threshold) {
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) if (data[i] > threshold) mask[i] = 255;
  return mask;
}

import type { PixelReadOptions } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { bytesPerSample, shapeSize, type PixelDtype } from './pixel-dtype.js';
import { defaultMaxPixelBytes, formatBytes, MAX_PIXEL_BYTES_VARIABLE } from './pixel-limits.js';

/**
 * FormatError TOO_LARGE when an image of `shape` and `dtype`, as the file declares it, would take
 * more than `maxBytes` decoded (default {@link defaultMaxPixelBytes}); checked before decoding.
 */
export function checkDeclaredBytes(path: string, shape: readonly number[], dtype: PixelDtype, axes: string, maxBytes = defaultMaxPixelBytes()): void {
  const bytes = shapeSize(shape) * bytesPerSample(dtype);
  if (bytes <= maxBytes) return;
  throw new FormatError(
    'TOO_LARGE',
    `${path}: reading it needs ${formatBytes(bytes)} of pixels for ${shape.join('×')} ${dtype} (${axes}), over the ${formatBytes(maxBytes)} limit of this read ` +
      `(a decompression bomb, or an image to read by parts; the default limit is set by ${MAX_PIXEL_BYTES_VARIABLE})`,
    { details: { path, bytes, maxBytes } },
  );
}

/** The RangeError of a selection index outside the image: `Z=3 is outside the image (Z has 3 planes: 0..2)`. */
export function outsideImage(axis: string, index: number, size: number): RangeError {
  return new RangeError(`${axis}=${index} is outside the image (${axis} has ${size} plane${size === 1 ? '' : 's'}: 0..${size - 1})`);
}

/** For single-plane formats (PNG, JPEG): a selection may only name index 0 of T, C and Z; {@link outsideImage} otherwise. */
export function planeOnly(select: PixelReadOptions['select']): void {
  for (const [axis, index] of Object.entries(select ?? {})) {
    if (index !== undefined && index !== 0) throw outsideImage(axis, index, 1);
  }
}

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

/** For single-plane formats (PNG, JPEG): a selection may only name index 0 of T, C and Z; RangeError otherwise. */
export function planeOnly(_path: string, select: PixelReadOptions['select']): void {
  for (const [axis, index] of Object.entries(select ?? {})) {
    if (index !== undefined && index !== 0) throw new RangeError(`${axis}=${index} is outside the image (${axis} has 1 plane: 0..0)`);
  }
}

/**
 * Helpers shared by the bundled image tools: the plane geometry of an image and conversions
 * between pixel types. Pure functions, no I/O.
 */
import { isPixelDtype, pixelDataConstructor } from '@bioimageit/core/formats';

/** Inclusive value range of the integer pixel types. */
const INTEGER_RANGES = {
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};

/**
 * The planes of an image whose axes end in `YX`: how many YX planes it holds (the product of the
 * leading axes) and their size. Throws an Error naming the axes for images with samples (`S`,
 * e.g. RGB) or without trailing `YX`.
 * @param {{ readonly shape: readonly number[]; readonly axes: string }} pixels
 * @returns {{ planes: number; height: number; width: number }}
 */
export function checkPlanes(pixels) {
  const { shape, axes } = pixels;
  if (!axes.endsWith('YX') || axes.includes('S') || shape.length !== axes.length) {
    throw new Error(`expected an image whose axes end in YX without samples (S), got axes '${axes}' with shape [${shape.join(', ')}]`);
  }
  const height = shape[shape.length - 2];
  const width = shape[shape.length - 1];
  const planes = shape.slice(0, -2).reduce((n, s) => n * s, 1);
  return { planes, height, width };
}

/** True for integer pixel types. @param {string} dtype */
export function isIntegerDtype(dtype) {
  return Object.hasOwn(INTEGER_RANGES, dtype);
}

/**
 * Values converted to a pixel type: integers are rounded to the nearest and clamped to the type's
 * range; float types keep the values.
 * @param {ArrayLike<number>} values
 * @param {string} dtype
 */
export function convertToDtype(values, dtype) {
  if (!isPixelDtype(dtype)) throw new Error(`unsupported pixel type '${dtype}'`);
  const out = new (pixelDataConstructor(dtype))(values.length);
  const range = INTEGER_RANGES[dtype];
  if (range === undefined) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  const [lo, hi] = range;
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]);
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}

import type { PixelArray } from '../extension-points/format-codec.js';

/** The pixel types a {@link PixelArray} can hold. */
export type PixelDtype = PixelArray['dtype'];

type PixelData = PixelArray['data'];
type PixelDataConstructor = { new (length: number): PixelData; readonly BYTES_PER_ELEMENT: number };

const CONSTRUCTORS: Readonly<Record<PixelDtype, PixelDataConstructor>> = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** Whether this machine stores multi-byte numbers little-endian (typed arrays use its order). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** True when `dtype` is one of the eight pixel types of {@link PixelArray}. */
export function isPixelDtype(dtype: unknown): dtype is PixelDtype {
  return typeof dtype === 'string' && Object.hasOwn(CONSTRUCTORS, dtype);
}

/** The typed-array class holding pixels of `dtype`. */
export function pixelDataConstructor(dtype: PixelDtype): PixelDataConstructor {
  return CONSTRUCTORS[dtype];
}

/** Bytes per sample of `dtype`. */
export function bytesPerSample(dtype: PixelDtype): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

/** TIFF SampleFormat: 1 unsigned integer, 2 signed integer, 3 IEEE float. */
export function tiffSampleFormat(dtype: PixelDtype): 1 | 2 | 3 {
  if (dtype.startsWith('float')) return 3;
  return dtype.startsWith('int') ? 2 : 1;
}

/**
 * The dtype name for a TIFF sample layout. Layouts outside the eight pixel types still get a
 * descriptive name (`uint12`, `float16`, `complex64`) so metadata never fails on them.
 */
export function dtypeFromTiff(bitsPerSample: number, sampleFormat: number): string {
  if (sampleFormat === 3) return `float${bitsPerSample}`;
  if (sampleFormat === 2) return `int${bitsPerSample}`;
  if (sampleFormat === 5 || sampleFormat === 6) return `complex${bitsPerSample}`;
  return `uint${bitsPerSample}`;
}

/** Number of elements of an array of this shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

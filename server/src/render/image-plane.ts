import type { PixelArray } from '@bioimageit/core';

/** Sizes of an image's axes; absent axes are 1. */
export interface ImageDims {
  readonly sizeT: number;
  readonly sizeC: number;
  readonly sizeZ: number;
  readonly height: number;
  readonly width: number;
  /** Samples per pixel (3 or 4 for RGB(A) images stored interleaved). */
  readonly samples: number;
}

/** Which plane to show: one z-plane, or the maximum projection over Z. */
export interface PlaneSelection {
  readonly t?: number;
  readonly c?: number;
  /** A z index, or `max` for the maximum-intensity projection. */
  readonly z: number | 'max';
}

/** One displayable plane: `height × width` values, `samples` per pixel interleaved. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly samples: number;
  readonly values: Float32Array;
}

/** The axis sizes of `pixels` (`TCZYXS` letters; Y and X required). */
export function imageDims(shape: readonly number[], axes: string): ImageDims {
  const size = (axis: string) => {
    const i = axes.indexOf(axis);
    return i < 0 ? 1 : (shape[i] as number);
  };
  if (!axes.includes('Y') || !axes.includes('X')) throw new RangeError(`axes '${axes}' lack Y and X`);
  return { sizeT: size('T'), sizeC: size('C'), sizeZ: size('Z'), height: size('Y'), width: size('X'), samples: size('S') };
}

/**
 * Extracts one plane of `pixels`: time point `t` and channel `c` (default 0; RGB samples are kept),
 * and z-plane `z` or the maximum over Z. Indices outside the image throw RangeError naming the
 * axis and its size. Values are copied to float32 for display scaling.
 */
export function extractPlane(pixels: PixelArray, selection: PlaneSelection): Plane {
  const dims = imageDims(pixels.shape, pixels.axes);
  const t = selection.t ?? 0;
  const c = selection.c ?? 0;
  check('t', t, dims.sizeT);
  check('c', c, dims.sizeC);
  if (selection.z !== 'max') check('z', selection.z, dims.sizeZ);
  const planeValues = dims.height * dims.width * dims.samples;
  const strides = axisStrides(pixels.shape, pixels.axes);
  const values = new Float32Array(planeValues);
  const zs = selection.z === 'max' ? range(dims.sizeZ) : [selection.z];
  values.fill(-Infinity);
  for (const z of zs) {
    const offset = t * strides.T + c * strides.C + z * strides.Z;
    for (let i = 0; i < planeValues; i++) {
      const v = pixels.data[offset + i] as number;
      if (v > (values[i] as number)) values[i] = v;
    }
  }
  return { width: dims.width, height: dims.height, samples: dims.samples, values };
}

function check(axis: string, index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size)
    throw new RangeError(`${axis}=${index} is outside the image (${axis} has ${size} plane${size === 1 ? '' : 's'}: 0..${size - 1})`);
}

function axisStrides(shape: readonly number[], axes: string): Record<'T' | 'C' | 'Z', number> {
  const strides: Record<string, number> = {};
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[axes[i] as string] = stride;
    stride *= shape[i] as number;
  }
  return { T: strides['T'] ?? 0, C: strides['C'] ?? 0, Z: strides['Z'] ?? 0 };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

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

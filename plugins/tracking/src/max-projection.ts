/** A 3-D volume of one sample per voxel, row-major, `shape` slowest axis first. */
export interface ZyxVolume {
  readonly data: ArrayLike<number>;
  /** `[nz, ny, nx]`. */
  readonly shape: readonly [number, number, number];
}

/**
 * The maximum-intensity projection of a ZYX volume along Z: a YX plane (`ny · nx` values, row-major)
 * whose every pixel is the largest value of its column. NaN voxels are passed over; a column of NaN
 * only stays NaN. One pass over the data, plane by plane, so typed arrays stream through the cache.
 *
 * Used by the track renderings (`renderTrackMovie`) and by tool scripts that show a stack
 * over time. Throws RangeError when `shape` is not three positive integers whose product is the
 * length of `data`.
 */
export function maxProjectZ(volume: ZyxVolume): Float32Array {
  const { data, shape } = volume;
  const [nz, ny, nx] = shape;
  if (shape.length !== 3 || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`a ZYX volume needs three positive sizes, not [${shape.join(', ')}]`);
  }
  const plane = ny * nx;
  if (data.length !== nz * plane) throw new RangeError(`shape [${shape.join(', ')}] needs ${nz * plane} values, the data has ${data.length}`);
  const out = new Float32Array(plane);
  for (let i = 0; i < plane; i++) out[i] = data[i] as number;
  for (let z = 1; z < nz; z++) {
    const base = z * plane;
    for (let i = 0; i < plane; i++) {
      const v = data[base + i] as number;
      const m = out[i] as number;
      // `m !== m` replaces a NaN kept so far by the first value that is not.
      if (v > m || m !== m) out[i] = v;
    }
  }
  return out;
}

/**
 * The geometry of a stage-scanning lattice light-sheet stack: the inverse of gpu-decon's deskew
 * (see synthetic-llsm.ts for the conventions).
 */

/** The stage-scan geometry of a series (gpu-decon's deskew conventions; see {@link llsmGeometry}). */
export interface LlsmGeometry {
  /** Sheet angle in degrees as given (negative angles flip the shear: θ + 180°). */
  readonly angle: number;
  /** Stage step between raw planes, µm. */
  readonly dz: number;
  /** Lateral pixel size, µm. */
  readonly dx: number;
  /** Pixels a raw plane moves along x per plane in the deskewed frame: cos θ · dz / dx. */
  readonly shear: number;
  /** Plane spacing of the deskewed stack, µm: dz · |sin θ|. */
  readonly dzDeskewed: number;
  /** Raw stack `[planes, rows, columns]`. */
  readonly rawShape: readonly [number, number, number];
  /** Deskewed stack `[planes, rows, nx + floor(nz·dz·|cos θ|/dx)]`. */
  readonly deskewedShape: readonly [number, number, number];
}

/** The deskew geometry of a raw stack, computed exactly as gpu-decon's `deskew_geometry`. */
export function llsmGeometry(rawShape: readonly [number, number, number], dz: number, dx: number, angle: number): LlsmGeometry {
  if (!Number.isFinite(dz) || dz <= 0) throw new RangeError(`dz must be a positive number, got ${dz}`);
  if (!Number.isFinite(dx) || dx <= 0) throw new RangeError(`dx must be a positive number, got ${dx}`);
  if (!Number.isFinite(angle) || angle <= -180 || angle >= 180) throw new RangeError(`angle must be in (-180, 180) degrees, got ${angle}`);
  const theta = ((angle < 0 ? angle + 180 : angle) * Math.PI) / 180;
  const dzDeskewed = Math.abs(Math.sin(theta)) * dz;
  if (dzDeskewed < 1e-9 * dz) throw new RangeError(`angle ${angle} puts the sheet in the stage plane: nothing to deskew`);
  const [nz, ny, nx] = rawShape;
  const width = nx + Math.floor((nz * dz * Math.abs(Math.cos(theta))) / dx);
  return { angle, dz, dx, shear: (Math.cos(theta) * dz) / dx, dzDeskewed, rawShape: [nz, ny, nx], deskewedShape: [nz, ny, width] };
}

/** Deskewed column of raw column 0 in plane `z` (the plane's offset; continuous in z). */
export function deskewOffset(g: LlsmGeometry, z: number): number {
  return g.deskewedShape[2] / 2 - g.rawShape[2] / 2 + g.shear * (z - g.rawShape[0] / 2);
}

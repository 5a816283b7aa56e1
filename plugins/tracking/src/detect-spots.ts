/**
 * Spot detection in the manner of TrackMate's LoG detector: scale-normalised Laplacian of Gaussian
 * tuned to the expected spot radius, local maxima above a quality threshold, sub-voxel localisation.
 */
import { otsuThreshold } from '@bioimageit/core';
import { scaleNormalisedLog, type ScalarVolume } from './log-filter.js';
import type { Spot } from './track-model.js';

/** Physical voxel size (same unit as the radius and the resulting spot positions). */
export interface VoxelSpacing {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** Options of {@link detectSpots}. */
export interface DetectSpotsOptions {
  /** Expected spot radius, physical. The LoG σ is `radius / √ndim` (ndim = 2 when `nz = 1`). */
  readonly radius: number;
  /**
   * Keep maxima whose quality is strictly above this (default 0, which keeps every positive maximum,
   * noise included: even a flat background has Float32 rounding ripples of ~1e-7 of its level).
   */
  readonly threshold?: number;
  /**
   * Also drop the maxima at or below an automatic threshold on the qualities of those above
   * `threshold` (default false), see {@link autoQualityThreshold}.
   */
  readonly autoThreshold?: boolean;
  /** Refine positions by a per-axis quadratic fit of the response (default true). */
  readonly subpixel?: boolean;
  /** Frame of the spots (default 0). */
  readonly frame?: number;
  /** Id of the best spot; the others follow in order (default 0). */
  readonly firstId?: number;
}

/**
 * Detects bright spots of about `radius` in a 3-D volume (or a 2-D image when `nz = 1`).
 *
 * Quality is the scale-normalised LoG response `−σ²·∇²(G_σ ∗ I)` with σ per axis in voxels
 * (σ_phys / voxel size, so anisotropic voxels are handled); a spot is a voxel whose quality is above
 * the threshold and not below any of its 3×3×3 (3×3 in 2-D) neighbours, ties going to the first in
 * memory order. Positions are physical with the origin at the centre of voxel (0, 0, 0); with
 * `subpixel` each axis is refined by the vertex of the parabola through the peak and its two
 * neighbours, clamped to ±0.5 voxel. Intensity is the mean input value over the voxels within the
 * `radius` ellipsoid around the refined position. Spots come sorted by quality, best first, ids
 * `firstId, firstId + 1, …` in that order.
 *
 * @throws RangeError when the shape, data length, voxel size or radius are invalid.
 */
export function detectSpots(volume: ScalarVolume, voxel: VoxelSpacing, options: DetectSpotsOptions): Spot[] {
  const [nz, ny, nx] = volume.shape;
  if (![nz, ny, nx].every((s) => Number.isInteger(s) && s > 0)) throw new RangeError(`detectSpots: bad shape ${volume.shape.join('×')}`);
  if (![voxel.x, voxel.y, voxel.z].every((v) => v > 0 && Number.isFinite(v))) throw new RangeError('detectSpots: voxel sizes must be positive');
  const { radius } = options;
  if (!(radius > 0) || !Number.isFinite(radius)) throw new RangeError(`detectSpots: radius ${radius} must be positive`);
  const threshold = options.threshold ?? 0;
  const subpixel = options.subpixel ?? true;
  const frame = options.frame ?? 0;
  const firstId = options.firstId ?? 0;
  const ndim = nz === 1 ? 2 : 3;
  const sigma = radius / Math.sqrt(ndim);
  const quality = scaleNormalisedLog(volume, [sigma / voxel.z, sigma / voxel.y, sigma / voxel.x]);

  const peaks = findLocalMaxima(quality, nz, ny, nx, threshold);
  const data = volume.data;
  const plane = ny * nx;
  const found: { q: number; z: number; y: number; x: number; index: number }[] = [];
  for (const index of peaks) {
    const z = Math.floor(index / plane);
    const y = Math.floor((index - z * plane) / nx);
    const x = index - z * plane - y * nx;
    let fz = z;
    let fy = y;
    let fx = x;
    if (subpixel) {
      fz = z + parabolaOffset(quality, index, z, nz, plane);
      fy = y + parabolaOffset(quality, index, y, ny, nx);
      fx = x + parabolaOffset(quality, index, x, nx, 1);
    }
    found.push({ q: quality[index]!, z: fz, y: fy, x: fx, index });
  }
  found.sort((a, b) => b.q - a.q || a.index - b.index);
  const floor = options.autoThreshold === true && found.length > 1 ? autoQualityThreshold(Float64Array.from(found, (p) => p.q)) : -Infinity;
  const kept = floor === -Infinity ? found : found.filter((p) => p.q > floor);

  return kept.map((p, k) => ({
    id: firstId + k,
    frame,
    x: p.x * voxel.x,
    y: p.y * voxel.y,
    z: p.z * voxel.z,
    quality: p.q,
    intensity: meanInEllipsoid(data, nz, ny, nx, p, [radius / voxel.z, radius / voxel.y, radius / voxel.x]),
    radius,
  }));
}

/**
 * Indices of voxels whose value is above `threshold` and not below any neighbour in their 3×3×3
 * neighbourhood (clipped at the borders); of equal neighbours only the first in memory order counts.
 */
function findLocalMaxima(q: Float32Array, nz: number, ny: number, nx: number, threshold: number): number[] {
  const plane = ny * nx;
  const peaks: number[] = [];
  for (let z = 0; z < nz; z++) {
    const z0 = Math.max(0, z - 1);
    const z1 = Math.min(nz - 1, z + 1);
    for (let y = 0; y < ny; y++) {
      const y0 = Math.max(0, y - 1);
      const y1 = Math.min(ny - 1, y + 1);
      const rowBase = z * plane + y * nx;
      for (let x = 0; x < nx; x++) {
        const index = rowBase + x;
        const v = q[index]!;
        if (!(v > threshold)) continue;
        if ((x > 0 && q[index - 1]! >= v) || (x < nx - 1 && q[index + 1]! > v)) continue;
        const x0 = Math.max(0, x - 1);
        const x1 = Math.min(nx - 1, x + 1);
        let isPeak = true;
        for (let zz = z0; zz <= z1 && isPeak; zz++) {
          for (let yy = y0; yy <= y1 && isPeak; yy++) {
            const base = zz * plane + yy * nx;
            for (let xx = x0; xx <= x1; xx++) {
              const j = base + xx;
              if (j === index) continue;
              const w = q[j]!;
              if (w > v || (w === v && j < index)) {
                isPeak = false;
                break;
              }
            }
          }
        }
        if (isPeak) peaks.push(index);
      }
    }
  }
  return peaks;
}

/** Vertex offset of the parabola through the peak and its neighbours along one axis, in ±0.5. */
function parabolaOffset(q: Float32Array, index: number, coordinate: number, length: number, stride: number): number {
  if (coordinate === 0 || coordinate === length - 1) return 0;
  const minus = q[index - stride]!;
  const centre = q[index]!;
  const plus = q[index + stride]!;
  const curvature = minus - 2 * centre + plus;
  if (!(curvature < 0)) return 0;
  const offset = (0.5 * (minus - plus)) / curvature;
  return Math.max(-0.5, Math.min(0.5, offset));
}

/** Mean of `data` over voxels within the ellipsoid of semi-axes `radii` (voxels) around `centre`. */
function meanInEllipsoid(
  data: ArrayLike<number>,
  nz: number,
  ny: number,
  nx: number,
  centre: { z: number; y: number; x: number },
  radii: readonly [number, number, number],
): number {
  const [rz, ry, rx] = radii;
  let sum = 0;
  let count = 0;
  const zFrom = Math.max(0, Math.ceil(centre.z - rz));
  const zTo = Math.min(nz - 1, Math.floor(centre.z + rz));
  for (let z = zFrom; z <= zTo; z++) {
    const dz = nz === 1 ? 0 : (z - centre.z) / rz;
    const yFrom = Math.max(0, Math.ceil(centre.y - ry));
    const yTo = Math.min(ny - 1, Math.floor(centre.y + ry));
    for (let y = yFrom; y <= yTo; y++) {
      const dy = (y - centre.y) / ry;
      const rest = 1 - dz * dz - dy * dy;
      if (rest < 0) continue;
      const half = Math.sqrt(rest) * rx;
      const xFrom = Math.max(0, Math.ceil(centre.x - half));
      const xTo = Math.min(nx - 1, Math.floor(centre.x + half));
      const base = (z * ny + y) * nx;
      for (let x = xFrom; x <= xTo; x++) {
        sum += data[base + x]!;
        count++;
      }
    }
  }
  if (count > 0) return sum / count;
  const nearest = (Math.round(centre.z) * ny + Math.round(centre.y)) * nx + Math.round(centre.x);
  return data[nearest]!;
}

/** Candidates from which on the noise statistics of {@link autoQualityThreshold} are trusted. */
const NOISE_SAMPLE = 100;

/**
 * The automatic quality threshold: the local maxima of a noisy image are mostly noise, so with at
 * least 100 candidates the threshold is their median plus 6 robust standard deviations (1.4826 ×
 * the median absolute deviation): spots must stand out of the noise's maxima as outliers. With
 * fewer candidates (a clean image, a small one), Otsu's threshold of the qualities, as TrackMate's
 * "Auto" button on its quality filter. Measured on generated lattice light-sheet data (bench:llsm),
 * Otsu alone keeps thousands of noise maxima on deskewed raw stacks, where they span the whole
 * histogram; the robust rule keeps the vesicles on raw and deconvolved stacks alike.
 */
export function autoQualityThreshold(qualities: Float64Array): number {
  if (qualities.length < NOISE_SAMPLE) return otsuThreshold(qualities, false);
  const sorted = Float64Array.from(qualities).sort();
  const median = sorted[sorted.length >> 1]!;
  const deviations = sorted.map((q) => Math.abs(q - median)).sort();
  return median + 6 * 1.4826 * deviations[deviations.length >> 1]!;
}

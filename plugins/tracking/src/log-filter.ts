/**
 * Separable, scale-normalised Laplacian of Gaussian filtering of 2-D and 3-D volumes in Float32, the
 * response that {@link detectSpots} looks for maxima in. Kernels are sampled Gaussians truncated at 4σ
 * (as scipy.ndimage), boundaries mirror without repeating the edge sample (scipy's `mode='mirror'`).
 */

/** A volume stored z-major: index `(z · ny + y) · nx + x`. A 2-D image has `nz = 1`. */
export interface ScalarVolume {
  readonly data: ArrayLike<number>;
  readonly shape: readonly [nz: number, ny: number, nx: number];
}

/**
 * The half of a symmetric 1-D kernel, `half[k]` being the weight at offsets ±k. Gaussian weights sum
 * to 1; second-derivative weights sum to 0.
 */
export type HalfKernel = Float64Array;

/** Kernel half-width for `sigma` (voxels), truncated at 4σ as scipy.ndimage does. */
function halfWidth(sigma: number): number {
  return Math.max(1, Math.floor(4 * sigma + 0.5));
}

/**
 * The sampled, normalised 1-D Gaussian of standard deviation `sigma` (in voxels).
 *
 * @throws RangeError when `sigma` is not positive and finite.
 */
export function gaussianKernel(sigma: number): HalfKernel {
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianKernel: sigma ${sigma} must be positive`);
  const r = halfWidth(sigma);
  const half = new Float64Array(r + 1);
  let sum = 0;
  for (let k = 0; k <= r; k++) {
    half[k] = Math.exp((-0.5 * k * k) / (sigma * sigma));
    sum += k === 0 ? half[k]! : 2 * half[k]!;
  }
  for (let k = 0; k <= r; k++) half[k]! /= sum;
  return half;
}

/**
 * The sampled second derivative of the normalised Gaussian, `g(x)·(x² − σ²)/σ⁴`, corrected to sum to
 * exactly 0 (so a flat background gives no response, even for a small σ), multiplied by `scale`.
 */
export function secondDerivativeKernel(sigma: number, scale = 1): HalfKernel {
  const g = gaussianKernel(sigma);
  const s2 = sigma * sigma;
  const half = new Float64Array(g.length);
  let sum = 0;
  for (let k = 0; k < g.length; k++) {
    half[k] = (g[k]! * (k * k - s2)) / (s2 * s2);
    sum += k === 0 ? half[k]! : 2 * half[k]!;
  }
  // Remove the residual sum by subtracting a multiple of the Gaussian (which sums to 1).
  for (let k = 0; k < g.length; k++) half[k] = (half[k]! - sum * g[k]!) * scale;
  return half;
}

/** Index `i` reflected into [0, n) without repeating the edge sample (period 2n − 2). */
function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/**
 * Convolves along an axis whose samples are `chunk`-long contiguous runs `chunk` apart (`blocks`
 * independent blocks of `length` runs each) with `ka` into `outA` and, when given, with `kb` into
 * `outB` (both kernels of one half-width), reading the input once. `outB` is added to when
 * `accumulateB`.
 */
function convolveRuns(
  input: Float32Array,
  blocks: number,
  length: number,
  chunk: number,
  ka: HalfKernel,
  outA: Float32Array,
  kb?: HalfKernel,
  outB?: Float32Array,
  accumulateB = false,
): void {
  const r = ka.length - 1;
  const blockSize = length * chunk;
  const lo = new Int32Array(r + 1);
  const hi = new Int32Array(r + 1);
  const wa = Float64Array.from(ka);
  const wb = kb ? Float64Array.from(kb) : new Float64Array(r + 1);
  if (wb.length !== r + 1) throw new RangeError('convolveRuns: kernels differ in length');
  const both = outB !== undefined;
  // Runs are processed in tiles that keep both accumulators in L1.
  const tile = Math.min(chunk, 1024);
  const accA = new Float64Array(tile);
  const accB = new Float64Array(tile);
  for (let b = 0; b < blocks; b++) {
    const base = b * blockSize;
    for (let p = 0; p < length; p++) {
      for (let k = 1; k <= r; k++) {
        lo[k] = base + mirrorIndex(p - k, length) * chunk;
        hi[k] = base + mirrorIndex(p + k, length) * chunk;
      }
      const o = base + p * chunk;
      for (let t0 = 0; t0 < chunk; t0 += tile) {
        const width = Math.min(tile, chunk - t0);
        const w0a = wa[0]!;
        const w0b = wb[0]!;
        for (let c = 0; c < width; c++) {
          const centre = input[o + t0 + c]!;
          accA[c] = w0a * centre;
          accB[c] = w0b * centre;
        }
        for (let k = 1; k <= r; k++) {
          const l = lo[k]! + t0;
          const h = hi[k]! + t0;
          const wka = wa[k]!;
          const wkb = wb[k]!;
          if (both) {
            for (let c = 0; c < width; c++) {
              const pair = input[l + c]! + input[h + c]!;
              accA[c]! += wka * pair;
              accB[c]! += wkb * pair;
            }
          } else {
            for (let c = 0; c < width; c++) accA[c]! += wka * (input[l + c]! + input[h + c]!);
          }
        }
        const ot = o + t0;
        for (let c = 0; c < width; c++) outA[ot + c] = accA[c]!;
        if (both) {
          if (accumulateB) for (let c = 0; c < width; c++) outB[ot + c]! += accB[c]!;
          else for (let c = 0; c < width; c++) outB[ot + c] = accB[c]!;
        }
      }
    }
  }
}

/**
 * Convolves each row (the contiguous x axis) of `a` with `ka` and of `b` with `kb` and writes the sum
 * into `out` (which may alias neither input).
 */
function convolveRowsPair(a: Float32Array, ka: HalfKernel, b: Float32Array, kb: HalfKernel, out: Float32Array, rows: number, nx: number): void {
  const r = Math.max(ka.length, kb.length) - 1;
  const ra = ka.length - 1;
  const rb = kb.length - 1;
  const padA = new Float32Array(nx + 2 * r);
  const padB = new Float32Array(nx + 2 * r);
  const wa = Float32Array.from(ka);
  const wb = Float32Array.from(kb);
  for (let row = 0; row < rows; row++) {
    const o = row * nx;
    for (let i = -r; i < nx + r; i++) {
      const src = o + mirrorIndex(i, nx);
      padA[i + r] = a[src]!;
      padB[i + r] = b[src]!;
    }
    for (let x = 0; x < nx; x++) {
      const c = x + r;
      let sa = wa[0]! * padA[c]!;
      for (let k = 1; k <= ra; k++) sa += wa[k]! * (padA[c - k]! + padA[c + k]!);
      let sb = wb[0]! * padB[c]!;
      for (let k = 1; k <= rb; k++) sb += wb[k]! * (padB[c - k]! + padB[c + k]!);
      out[o + x] = sa + sb;
    }
  }
}

/**
 * The scale-normalised Laplacian of Gaussian response `−Σₐ σₐ² ∂²ₐ(G_σ ∗ I)` with per-axis σ in
 * voxels (`sigmas` as `[z, y, x]`; the z entry is ignored when `nz = 1`). Bright blobs give positive
 * values. With σₐ = σ_phys / voxelₐ this equals `−σ_phys² · ∇²` taken in physical units, so responses
 * are comparable between anisotropic axes. Costs seven separable passes.
 *
 * @throws RangeError when the data length does not match the shape or a σ is not positive.
 */
export function scaleNormalisedLog(volume: ScalarVolume, sigmas: readonly [number, number, number]): Float32Array {
  const [nz, ny, nx] = volume.shape;
  const n = nz * ny * nx;
  if (volume.data.length !== n) throw new RangeError(`scaleNormalisedLog: ${volume.data.length} samples for shape ${nz}×${ny}×${nx}`);
  const [sz, sy, sx] = sigmas;
  const input = volume.data instanceof Float32Array ? volume.data : Float32Array.from(volume.data);
  const gy = gaussianKernel(sy);
  const dy = secondDerivativeKernel(sy, -sy * sy);
  const gx = gaussianKernel(sx);
  const dx = secondDerivativeKernel(sx, -sx * sx);
  const plane = ny * nx;
  const out = new Float32Array(n);
  if (nz === 1) {
    // ∂yy then smooth x, plus smooth y then ∂xx.
    const smoothY = new Float32Array(n);
    const derivY = new Float32Array(n);
    convolveRuns(input, 1, ny, nx, gy, smoothY, dy, derivY);
    convolveRowsPair(derivY, gx, smoothY, dx, out, ny, nx);
    return out;
  }
  const gz = gaussianKernel(sz);
  const dz = secondDerivativeKernel(sz, -sz * sz);
  const smoothZ = new Float32Array(n);
  const derivZ = new Float32Array(n);
  convolveRuns(input, 1, nz, plane, gz, smoothZ, dz, derivZ);
  const smoothZY = new Float32Array(n);
  const yTerms = new Float32Array(n);
  convolveRuns(smoothZ, nz, ny, nx, gy, smoothZY, dy, yTerms);
  // smoothZ is spent: it takes derivZ smoothed along y, to be added to yTerms.
  convolveRuns(derivZ, nz, ny, nx, gy, smoothZ);
  for (let k = 0; k < n; k++) yTerms[k]! += smoothZ[k]!;
  // (∂zz·Gy + Gz·∂yy) smoothed along x, plus Gz·Gy differentiated along x.
  convolveRowsPair(yTerms, gx, smoothZY, dx, out, nz * ny, nx);
  return out;
}

/** A PSF and its voxel size (µm). */
export interface SampledPsf {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
  readonly dz: number;
  readonly dx: number;
}

/**
 * Resamples a PSF measured with voxel size (psf.dz, psf.dx) onto the data's voxel size (dz, dx) by
 * trilinear interpolation about its brightest voxel, which stays the centre voxel of an odd-sized
 * result covering the same physical extent. Returns the input itself when the sizes already match
 * (within 0.1 %). The deconvolution normalises the result to unit sum.
 */
export function resamplePsf(psf: SampledPsf, dz: number, dx: number): SampledPsf {
  const same = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-3 * Math.max(a, b);
  if (same(psf.dz, dz) && same(psf.dx, dx)) return psf;
  const [nz, ny, nx] = psf.shape;
  let peak = 0;
  for (let i = 1; i < psf.data.length; i++) if ((psf.data[i] as number) > (psf.data[peak] as number)) peak = i;
  const cz = Math.floor(peak / (ny * nx));
  const cy = Math.floor(peak / nx) % ny;
  const cx = peak % nx;
  const half = (n: number, c: number, from: number, to: number): number => Math.floor((Math.max(c, n - 1 - c) * from) / to);
  const hz = half(nz, cz, psf.dz, dz);
  const hy = half(ny, cy, psf.dx, dx);
  const hx = half(nx, cx, psf.dx, dx);
  const shape: [number, number, number] = [2 * hz + 1, 2 * hy + 1, 2 * hx + 1];
  const out = new Float32Array(shape[0] * shape[1] * shape[2]);
  const at = (z: number, y: number, x: number): number =>
    z < 0 || y < 0 || x < 0 || z >= nz || y >= ny || x >= nx ? 0 : (psf.data[(z * ny + y) * nx + x] as number);
  let o = 0;
  for (let k = -hz; k <= hz; k++) {
    const z = cz + (k * dz) / psf.dz;
    const z0 = Math.floor(z);
    const fz = z - z0;
    for (let j = -hy; j <= hy; j++) {
      const y = cy + (j * dx) / psf.dx;
      const y0 = Math.floor(y);
      const fy = y - y0;
      for (let i = -hx; i <= hx; i++, o++) {
        const x = cx + (i * dx) / psf.dx;
        const x0 = Math.floor(x);
        const fx = x - x0;
        let v = 0;
        for (let a = 0; a < 2; a++)
          for (let b = 0; b < 2; b++)
            for (let c = 0; c < 2; c++) {
              const w = (a ? fz : 1 - fz) * (b ? fy : 1 - fy) * (c ? fx : 1 - fx);
              if (w !== 0) v += w * at(z0 + a, y0 + b, x0 + c);
            }
        out[o] = v;
      }
    }
  }
  return { data: out, shape, dz, dx };
}

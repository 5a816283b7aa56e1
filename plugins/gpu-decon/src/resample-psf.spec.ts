import { describe, expect, it } from 'vitest';
import { resamplePsf } from './resample-psf.js';

function gaussian(n: number, sz: number, sxy: number, dz: number, dx: number): Float32Array {
  const c = (n - 1) / 2;
  const out = new Float32Array(n * n * n);
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        out[(z * n + y) * n + x] = Math.exp(-(((z - c) * dz) ** 2) / (2 * sz * sz) - (((y - c) * dx) ** 2 + ((x - c) * dx) ** 2) / (2 * sxy * sxy));
  return out;
}

describe('resamplePsf', () => {
  it('returns the PSF itself when the voxel sizes already match', () => {
    const psf = { data: new Float32Array(27).fill(1), shape: [3, 3, 3] as const, dz: 0.2, dx: 0.1 };
    expect(resamplePsf(psf, 0.2, 0.1)).toBe(psf);
  });

  it('resamples a Gaussian measured at 0.1 µm steps onto 0.2 µm planes: odd size, peak centred, same physical profile', () => {
    const psf = { data: gaussian(21, 0.4, 0.15, 0.1, 0.1), shape: [21, 21, 21] as const, dz: 0.1, dx: 0.1 };
    const out = resamplePsf(psf, 0.2, 0.1);
    expect(out.shape).toEqual([11, 21, 21]);
    expect(out.dz).toBe(0.2);
    const expected = gaussian(21, 0.4, 0.15, 0.1, 0.1);
    // Plane k of the output is plane 2k of the input (0.2 µm = 2 input steps, no interpolation needed).
    for (let k = 0; k < 11; k++) expect(out.data[(k * 21 + 10) * 21 + 10]).toBeCloseTo(expected[(2 * k * 21 + 10) * 21 + 10]!, 6);
    let peak = 0;
    for (let i = 1; i < out.data.length; i++) if (out.data[i]! > out.data[peak]!) peak = i;
    expect(peak).toBe((5 * 21 + 10) * 21 + 10);
  });

  it('interpolates linearly between samples when the steps do not divide', () => {
    const data = Float32Array.from({ length: 5 * 1 * 1 }, (_, z) => [0, 1, 4, 1, 0][z]!);
    const out = resamplePsf({ data, shape: [5, 1, 1], dz: 1, dx: 1 }, 0.5, 1);
    expect(out.shape).toEqual([9, 1, 1]);
    expect([...out.data]).toEqual([0, 0.5, 1, 2.5, 4, 2.5, 1, 0.5, 0]);
  });
});

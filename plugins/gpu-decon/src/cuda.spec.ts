import { skipWithout } from '@bioimageit/core/testing';
import { describe, expect, it } from 'vitest';
import type { NativeDeconOptions } from './native-addon.js';
import { addonOrSkip } from './test-support/addon-or-skip.js';
import { relativeL2 } from './test-support/python-reference.js';

const addon = addonOrSkip(import.meta.url);
const cuda = addon?.info().cuda;
// A CUDA device the addon can use (it was built with CUDA and cuFFT, and the driver finds a device).
const noGpu = cuda !== undefined && skipWithout('gpu', cuda.devices > 0 ? undefined : (cuda.reason ?? 'no CUDA device'), import.meta.url);

/** Seeded beads on a background, blurred enough to make RL work. */
function volume(shape: [number, number, number]): Float32Array {
  const [nz, ny, nx] = shape;
  const data = new Float32Array(nz * ny * nx).fill(5);
  let seed = 3;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let b = 0; b < 40; b++) {
    const [zc, yc, xc] = [random() * nz, random() * ny, random() * nx];
    for (let z = 0; z < nz; z++)
      for (let y = 0; y < ny; y++)
        for (let x = 0; x < nx; x++) data[(z * ny + y) * nx + x]! += 300 * Math.exp(-((z - zc) ** 2) / 8 - ((y - yc) ** 2 + (x - xc) ** 2) / 4);
  }
  return data;
}

describe.skipIf(addon === undefined || noGpu)('CUDA path against the CPU path', () => {
  const shape: [number, number, number] = [40, 96, 112];
  const image = volume(shape);
  const psf = new Float32Array(9 * 9 * 9);
  for (let z = 0; z < 9; z++)
    for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) psf[(z * 9 + y) * 9 + x] = Math.exp(-((z - 4) ** 2) / 8 - ((y - 4) ** 2 + (x - 4) ** 2) / 3);
  const cases: [string, Partial<NativeDeconOptions>][] = [
    ['padded', { mode: 'padded' }],
    ['wrap', { mode: 'wrap', napodize: 8 }],
    ['wrap, accelerated, ratio clamp', { mode: 'wrap', napodize: 8, accelerate: true, ratioLimit: 10 }],
  ];
  for (const [name, options] of cases) {
    it(`${name}: relative L2 <= 1e-4 after 10 iterations`, async () => {
      const base: NativeDeconOptions = { image, shape, psf, psfShape: [9, 9, 9], iterations: 10, planner: 'estimate', ...options };
      const cpu = await addon!.deconvolve({ ...base, device: 'cpu' }).promise;
      const gpu = await addon!.deconvolve({ ...base, device: 'cuda' }).promise;
      expect(gpu.device).toBe('cuda');
      expect(gpu.shape).toEqual(cpu.shape);
      expect(relativeL2(gpu.data, cpu.data)).toBeLessThan(1e-4);
      expect(Math.abs(gpu.fluxOut / gpu.fluxIn - 1)).toBeLessThan(1e-4);
    });
  }
});

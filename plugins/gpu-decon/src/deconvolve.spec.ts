import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NativeDeconOptions } from './native-addon.js';
import { addonOrSkip } from './test-support/addon-or-skip.js';
import { pythonMissing, readF32, reference, relativeL2, sum } from './test-support/python-reference.js';

const addon = addonOrSkip(import.meta.url);
const noPython = skipWithout('python', pythonMissing(), import.meta.url);

describe.skipIf(addon === undefined || noPython)('deconvolve (CPU, FFTW) against references', () => {
  let dir = '';
  const shape: [number, number, number] = [30, 66, 70];
  let image: Float32Array = new Float32Array();
  let psf: Float32Array = new Float32Array();
  let psfShape: [number, number, number] = [9, 9, 9];
  const base = (): NativeDeconOptions => ({ image, shape, psf, psfShape, planner: 'estimate', threads: 2 });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-decon-ref-'));
    const made = reference<{ psfShape: [number, number, number] }>('make-beads', {
      shape,
      image: join(dir, 'image.f32'),
      psf: join(dir, 'psf.f32'),
      psfSize: 9,
      beads: 80,
    });
    psfShape = made.psfShape;
    image = readF32(join(dir, 'image.f32'));
    psf = readF32(join(dir, 'psf.f32'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('padded mode matches scikit-image richardson_lucy within 1e-3 and keeps the total intensity', async () => {
    reference('skimage-rl', { image: join(dir, 'image.f32'), psf: join(dir, 'psf.f32'), shape, psfShape, iterations: 10, out: join(dir, 'sk.f32') });
    const expected = readF32(join(dir, 'sk.f32'));
    const result = await addon!.deconvolve({ ...base(), iterations: 10, mode: 'padded' }).promise;
    expect(result.shape).toEqual(shape);
    expect(result.grid.every((g, i) => g >= shape[i]! + Math.floor(psfShape[i]! / 2))).toBe(true);
    const error = relativeL2(result.data, expected);
    expect(error).toBeLessThan(1e-3);
    expect(error).toBeLessThan(1e-5);
    expect(Math.abs(sum(result.data) / sum(image) - 1)).toBeLessThan(1e-4);
    expect(Math.abs(result.fluxOut / result.fluxIn - 1)).toBeLessThan(1e-4);
  });

  it('wrap mode matches a numpy circular-convolution reference (cropped grid, apodized edges)', async () => {
    const ref = reference<{ shape: number[] }>('wrap-rl', {
      image: join(dir, 'image.f32'),
      psf: join(dir, 'psf.f32'),
      shape,
      psfShape,
      iterations: 10,
      napodize: 6,
      out: join(dir, 'wrap.f32'),
    });
    const result = await addon!.deconvolve({ ...base(), iterations: 10, mode: 'wrap', napodize: 6 }).promise;
    expect(result.shape).toEqual([30, 64, 70]);
    expect(result.shape).toEqual(ref.shape);
    expect(relativeL2(result.data, readF32(join(dir, 'wrap.f32')))).toBeLessThan(1e-3);
    expect(Math.abs(result.fluxOut / result.fluxIn - 1)).toBeLessThan(1e-4);
  });

  it('accelerated wrap mode with a ratio clamp matches the reference, with weights in [0, 1] from the third iteration', async () => {
    reference('wrap-rl', {
      image: join(dir, 'image.f32'),
      psf: join(dir, 'psf.f32'),
      shape,
      psfShape,
      iterations: 8,
      napodize: 4,
      accelerate: true,
      ratioLimit: 10,
      background: 0.02,
      out: join(dir, 'acc.f32'),
    });
    const result = await addon!.deconvolve({ ...base(), iterations: 8, mode: 'wrap', napodize: 4, accelerate: true, ratioLimit: 10, background: 0.02 }).promise;
    expect(relativeL2(result.data, readF32(join(dir, 'acc.f32')))).toBeLessThan(1e-3);
    expect(result.lambdas).toHaveLength(8);
    expect(result.lambdas.slice(0, 2)).toEqual([0, 0]);
    expect(result.lambdas.slice(2).every((l) => l > 0 && l <= 1)).toBe(true);
    let min = Infinity;
    for (const v of result.data) min = Math.min(min, v);
    expect(min).toBeGreaterThanOrEqual(0);
  });

  it('PSF cleaning: a constant PSF offset is estimated and removed, radial averaging keeps a symmetric PSF', async () => {
    const clean = await addon!.deconvolve({ ...base(), iterations: 5 }).promise;
    let max = 0;
    for (const v of psf) max = Math.max(max, v);
    const offset = Float32Array.from(psf, (v) => v + 0.01 * max);
    const shifted = await addon!.deconvolve({ ...base(), psf: offset, iterations: 5 }).promise;
    const estimated = await addon!.deconvolve({ ...base(), psf: offset, psfBackground: -1, iterations: 5 }).promise;
    // The border median is the offset plus the (small) Gaussian tail at the border.
    expect(estimated.psfBackground).toBeGreaterThanOrEqual(0.01 * max * (1 - 1e-6));
    expect(estimated.psfBackground).toBeLessThan(0.0125 * max);
    // Removing the estimate brings the result back near the clean PSF's (the tail below the border
    // median goes too), far closer than deconvolving with the raised PSF.
    const corrected = relativeL2(estimated.data, clean.data);
    expect(corrected).toBeLessThan(1e-2);
    expect(corrected).toBeLessThan(relativeL2(shifted.data, clean.data) / 5);
    const radial = await addon!.deconvolve({ ...base(), radialPsf: true, iterations: 5 }).promise;
    expect(relativeL2(radial.data, clean.data)).toBeLessThan(2e-2);
    // A perturbation that averages to zero on every ring (odd in x) is removed by radial averaging.
    const [pz, py, px] = psfShape;
    const odd = psf.slice();
    for (let z = 0; z < pz; z++)
      for (let y = 0; y < py; y++) for (let x = 0; x < px; x++) odd[(z * py + y) * px + x]! *= 1 + 0.3 * Math.sin((x - (px - 1) / 2) / 2);
    const symmetrised = await addon!.deconvolve({ ...base(), psf: odd, radialPsf: true, iterations: 5 }).promise;
    const asymmetric = await addon!.deconvolve({ ...base(), psf: odd, iterations: 5 }).promise;
    expect(relativeL2(symmetrised.data, radial.data)).toBeLessThan(relativeL2(asymmetric.data, clean.data) / 10);
    // A scaled PSF gives the same result (normalised to unit sum).
    const scaled = await addon!.deconvolve({ ...base(), psf: Float32Array.from(psf, (v) => v * 37), iterations: 5 }).promise;
    expect(relativeL2(scaled.data, clean.data)).toBeLessThan(1e-5);
  });

  it('image background: a fixed value or the median of the last plane is subtracted (clamped at 0)', async () => {
    const raised = Float32Array.from(image, (v) => v + 2);
    const plane = shape[1] * shape[2];
    const last = [...raised.subarray(raised.length - plane)].sort((a, b) => a - b)[Math.floor(plane / 2)]!;
    const auto = await addon!.deconvolve({ ...base(), image: raised, background: -1, iterations: 3 }).promise;
    expect(auto.background).toBeCloseTo(last, 5);
    const fixed = await addon!.deconvolve({ ...base(), image: raised, background: last, iterations: 3 }).promise;
    expect(relativeL2(auto.data, fixed.data)).toBe(0);
    expect(auto.fluxIn).toBeLessThan(fixed.fluxIn + 1e-3);
    expect(auto.fluxIn).toBeLessThan(sum(raised) - (last - 2) * raised.length);
  });

  it('a uint16 stack gives the same result as the same values in float32', async () => {
    const counts = Uint16Array.from(image, (v) => Math.round(v * 1000));
    const floats = Float32Array.from(counts);
    const [a, b] = await Promise.all([
      addon!.deconvolve({ ...base(), image: counts, iterations: 3 }).promise,
      addon!.deconvolve({ ...base(), image: floats, iterations: 3 }).promise,
    ]);
    expect(relativeL2(a.data, b.data)).toBeLessThan(1e-6);
  });
});

describe.skipIf(addon === undefined)('deconvolve (CPU, FFTW) invariants and errors', () => {
  const shape: [number, number, number] = [12, 20, 24];
  const image = Float32Array.from({ length: 12 * 20 * 24 }, (_, i) => 1 + ((i * 7919) % 101) / 10);

  it('a delta PSF returns the image unchanged in both modes (centring, even-sized PSF)', async () => {
    for (const psfShape of [
      [5, 5, 5],
      [4, 6, 6],
    ] as [number, number, number][]) {
      const psf = new Float32Array(psfShape[0] * psfShape[1] * psfShape[2]);
      psf[(2 * psfShape[1] + 2) * psfShape[2] + 3] = 1;
      const padded = await addon!.deconvolve({ image, shape, psf, psfShape, iterations: 5, planner: 'estimate' }).promise;
      expect(relativeL2(padded.data, image)).toBeLessThan(1e-5);
      const wrapped = await addon!.deconvolve({ image, shape, psf, psfShape, iterations: 5, mode: 'wrap', napodize: 0, planner: 'estimate' }).promise;
      expect(wrapped.shape).toEqual([12, 20, 24]);
      expect(relativeL2(wrapped.data, image)).toBeLessThan(1e-5);
    }
  });

  it('reports progress once per iteration and can be cancelled', async () => {
    const psf = new Float32Array(27).fill(1 / 27);
    const seen: number[] = [];
    await addon!.deconvolve({
      image,
      shape,
      psf,
      psfShape: [3, 3, 3],
      iterations: 4,
      planner: 'estimate',
      onProgress: (done, total) => seen.push(done / total),
    }).promise;
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((v, i) => i === 0 || v > seen[i - 1]!)).toBe(true);
    const handle = addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], iterations: 10000, planner: 'estimate', onProgress: () => handle.cancel() });
    await expect(handle.promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('rejects wrong shapes, types and options with messages naming the argument', async () => {
    const psf = new Float32Array(27).fill(1);
    const psfShape: [number, number, number] = [3, 3, 3];
    expect(() => addon!.deconvolve({ image: image.subarray(1), shape, psf, psfShape })).toThrow(/image holds 5759 values but shape \[12, 20, 24\] needs 5760/);
    expect(() => addon!.deconvolve({ image: new Int32Array(5760) as never, shape, psf, psfShape })).toThrow(TypeError);
    expect(() => addon!.deconvolve({ image, shape: [12, 20] as never, psf, psfShape })).toThrow(/shape must be an array \[z, y, x\]/);
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape, mode: 'mirror' as never })).toThrow(/mode must be 'padded' or 'wrap'/);
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape, iterations: 2.5 })).toThrow(/iterations must be an integer/);
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape, device: 'tpu' as never })).toThrow(/device must be/);
    await expect(addon!.deconvolve({ image, shape, psf: new Float32Array(27), psfShape }).promise).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/PSF has no positive intensity/),
    });
    const nan = image.slice();
    nan[0] = Number.NaN;
    await expect(addon!.deconvolve({ image: nan, shape, psf, psfShape }).promise).rejects.toMatchObject({
      code: 'INVALID',
      message: expect.stringMatching(/NaN/),
    });
  });

  it('writes into a caller-provided out buffer (reused across calls) and refuses a wrong size or shared memory', async () => {
    const psf = new Float32Array(27).fill(1);
    const out = new Float32Array(image.length);
    const first = await addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], iterations: 2, planner: 'estimate', out }).promise;
    expect(first.data).toBe(out);
    const fresh = await addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], iterations: 2, planner: 'estimate' }).promise;
    expect(relativeL2(out, fresh.data)).toBe(0);
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], out: new Float32Array(7) })).toThrow(
      /out holds 7 values but the result needs 5760/,
    );
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], out: image })).toThrow(/output \(out or reuse\) must not share memory with image/);
  });

  it('without CUDA, device cuda is refused and auto runs on the CPU', async () => {
    const info = addon!.info();
    const psf = new Float32Array(27).fill(1);
    if (info.cuda.devices > 0) return;
    expect(() => addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], device: 'cuda' })).toThrow(/device 'cuda' was asked for but/);
    const result = await addon!.deconvolve({ image, shape, psf, psfShape: [3, 3, 3], iterations: 1, device: 'auto', planner: 'estimate' }).promise;
    expect(result.device).toBe('cpu');
  });
});

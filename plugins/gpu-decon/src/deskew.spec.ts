import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipWithout } from '@bioimageit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { addonOrSkip } from './test-support/addon-or-skip.js';
import { pythonMissing, readU16, reference, relativeL2 } from './test-support/python-reference.js';

const addon = addonOrSkip(import.meta.url);
const noPython = skipWithout('python', pythonMissing(), import.meta.url);

/** The deskew formula, one output voxel at a time (x_in = xo − W/2 + shift − f·(z − nz/2) + nx/2). */
function naiveDeskew(
  input: ArrayLike<number>,
  [nz, ny, nx]: readonly [number, number, number],
  width: number,
  shear: number,
  shift: number,
  pad: number,
): Float32Array {
  const out = new Float32Array(nz * ny * width);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let xo = 0; xo < width; xo++) {
        const exact = xo - width / 2 + shift - shear * (z - nz / 2) + nx / 2;
        const xi = Math.abs(exact - Math.round(exact)) < 1e-6 ? Math.round(exact) : exact;
        const x0 = Math.floor(xi);
        const f = xi - x0;
        let v = pad;
        const row = (z * ny + y) * nx;
        if (x0 >= 0 && x0 + 1 <= nx - 1) v = (1 - f) * (input[row + x0] as number) + f * (input[row + x0 + 1] as number);
        else if (x0 === nx - 1 && f === 0) v = input[row + x0] as number;
        out[(z * ny + y) * width + xo] = v;
      }
  return out;
}

describe.skipIf(addon === undefined)('deskew', () => {
  it('reproduces the geometry of the published cudaDecon log (dz 0.36, dx 0.104, θ 32.8°, 313 px wide, 180 planes)', async () => {
    const image = new Uint16Array(180 * 1 * 313);
    const result = await addon!.deskew({ image, shape: [180, 1, 313], dz: 0.36, dx: 0.104, angle: 32.8 }).promise;
    expect(result.shear).toBeCloseTo(2.9097, 4);
    expect(result.dz).toBeCloseTo(0.19501, 5);
    expect(result.shape).toEqual([180, 1, 836]);
    const fixed = await addon!.deskew({ image, shape: [180, 1, 313], dz: 0.36, dx: 0.104, angle: 32.8, width: 810 }).promise;
    expect(fixed.shape).toEqual([180, 1, 810]);
  });

  it('equals the per-voxel formula for uint16 and float32 input, any shift, pad value and a negative angle', async () => {
    const shape: [number, number, number] = [9, 5, 23];
    const counts = Uint16Array.from({ length: 9 * 5 * 23 }, (_, i) => (i * 2654435761) % 4001);
    for (const [angle, shift, padValue] of [
      [31.5, 0, 0],
      [-40, 3.25, 7],
      [60, -2, 1],
    ] as const) {
      const u16 = await addon!.deskew({ image: counts, shape, dz: 0.4, dx: 0.1, angle, shift, padValue }).promise;
      const f32 = await addon!.deskew({ image: Float32Array.from(counts), shape, dz: 0.4, dx: 0.1, angle, shift, padValue }).promise;
      const expected = naiveDeskew(counts, shape, u16.shape[2], u16.shear, shift, padValue);
      expect(relativeL2(u16.data, expected)).toBeLessThan(1e-6);
      expect(relativeL2(f32.data, expected)).toBeLessThan(1e-6);
    }
  });

  it('rejects steps and angles that make no deskew', () => {
    const image = new Float32Array(8);
    expect(() => addon!.deskew({ image, shape: [2, 2, 2], dz: 0, dx: 0.1 })).toThrow(/dz must be a positive number/);
    expect(() => addon!.deskew({ image, shape: [2, 2, 2], dz: 0.5, dx: -1 })).toThrow(/dx must be a positive number/);
    expect(() => addon!.deskew({ image, shape: [2, 2, 2], dz: 0.5, dx: 0.1, angle: 0 })).toThrow(/nothing to deskew/);
  });

  it('rotation by 0° with isotropic voxels is the identity; projections are the maxima along each axis', async () => {
    const shape: [number, number, number] = [6, 4, 8];
    const image = Float32Array.from({ length: 6 * 4 * 8 }, (_, i) => (i * 37) % 29);
    const rotated = await addon!.rotate({ image, shape, angle: 0, dz: 0.2, dx: 0.2 }).promise;
    expect(rotated.shape).toEqual(shape);
    // Bilinear sampling needs both neighbours, so the last column and plane are outside.
    for (let z = 0; z < 5; z++)
      for (let y = 0; y < 4; y++) for (let x = 0; x < 7; x++) expect(rotated.data[(z * 4 + y) * 8 + x]).toBe(image[(z * 4 + y) * 8 + x]);
    const p = await addon!.maxProjections({ image, shape }).promise;
    const at = (z: number, y: number, x: number): number => image[(z * 4 + y) * 8 + x] as number;
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) expect(p.z[y * 8 + x]).toBe(Math.max(...[0, 1, 2, 3, 4, 5].map((z) => at(z, y, x))));
    for (let z = 0; z < 6; z++) for (let x = 0; x < 8; x++) expect(p.y[z * 8 + x]).toBe(Math.max(...[0, 1, 2, 3].map((y) => at(z, y, x))));
    for (let z = 0; z < 6; z++) for (let y = 0; y < 4; y++) expect(p.x[z * 4 + y]).toBe(Math.max(...[0, 1, 2, 3, 4, 5, 6, 7].map((x) => at(z, y, x))));
  });
});

describe.skipIf(addon === undefined || noPython)('deskew of a sheared bead stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-decon-deskew-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts every bead back in one column (per-plane x centroid constant within 0.02 px)', async () => {
    const shape: [number, number, number] = [96, 64, 128];
    const [dz, dx, angle] = [0.4, 0.104, 31.5];
    const shear = (Math.cos((angle * Math.PI) / 180) * dz) / dx;
    const width = shape[2] + Math.floor((shape[0] * dz * Math.abs(Math.cos((angle * Math.PI) / 180))) / dx);
    // Beads placed where the raw frame sees them around their focal plane.
    const beads = [
      [20, 12, 40],
      [35, 30, 90],
      [48, 50, 60],
      [60, 20, 100],
      [70, 40, 30],
      [80, 55, 75],
      [30, 45, 110],
    ].map(([zc, yc, xRaw]) => [zc!, yc!, xRaw! + width / 2 - shape[2] / 2 + shear * (zc! - shape[0] / 2)]);
    reference('sheared-beads', { shape, shear, width, beads, out: join(dir, 'raw.u16'), zScale: 1 });
    const raw = readU16(join(dir, 'raw.u16'));
    const result = await addon!.deskew({ image: raw, shape, dz, dx, angle }).promise;
    expect(result.shape).toEqual([96, 64, width]);
    let rawDrift = 0;
    for (const [zc, yc, xc] of beads as [number, number, number][]) {
      const centroids: number[] = [];
      for (let z = zc - 4; z <= zc + 4; z++) {
        let mass = 0;
        let moment = 0;
        for (let x = Math.round(xc) - 8; x <= Math.round(xc) + 8; x++) {
          const v = result.data[(z * 64 + yc) * width + x] as number;
          mass += v;
          moment += v * x;
        }
        centroids.push(moment / mass);
      }
      for (const c of centroids) expect(Math.abs(c - xc)).toBeLessThan(0.02);
      rawDrift = Math.max(rawDrift, shear * 8);
    }
    expect(rawDrift).toBeGreaterThan(20);
  });
});

import { describe, expect, it } from 'vitest';
import { autoQualityThreshold, detectSpots } from './detect-spots.js';

interface Blob {
  z: number;
  y: number;
  x: number;
  /** Physical standard deviation. */
  sigma: number;
  amplitude: number;
}

/** A volume of Gaussian blobs at physical positions, sampled at voxel centres (origin at voxel 0). */
function render(shape: [number, number, number], voxel: { x: number; y: number; z: number }, blobs: Blob[], background = 10): Float32Array {
  const [nz, ny, nx] = shape;
  const data = new Float32Array(nz * ny * nx).fill(background);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++)
        for (const b of blobs) {
          const d2 = ((z * voxel.z - b.z) ** 2 + (y * voxel.y - b.y) ** 2 + (x * voxel.x - b.x) ** 2) / (b.sigma * b.sigma);
          data[(z * ny + y) * nx + x]! += b.amplitude * Math.exp(-0.5 * d2);
        }
  return data;
}

const iso = { x: 0.1, y: 0.1, z: 0.1 };
/** Above the float rounding ripple of a flat background (≈1e-7), far below any blob's quality. */
const tiny = 1e-3;

describe('detectSpots', () => {
  it('finds a blob at a known sub-voxel position within 0.1 voxel', () => {
    const blob = { z: 1.03, y: 2.06, x: 1.52, sigma: 0.2, amplitude: 100 };
    const spots = detectSpots({ data: render([21, 41, 31], iso, [blob]), shape: [21, 41, 31] }, iso, { radius: 0.35, threshold: tiny });
    expect(spots).toHaveLength(1);
    const [s] = spots;
    expect(Math.abs(s!.x - blob.x)).toBeLessThan(0.01);
    expect(Math.abs(s!.y - blob.y)).toBeLessThan(0.01);
    expect(Math.abs(s!.z - blob.z)).toBeLessThan(0.01);
    expect(s).toMatchObject({ id: 0, frame: 0, radius: 0.35 });
    expect(s!.quality).toBeGreaterThan(0);
  });

  it('keeps voxel centres without sub-voxel refinement', () => {
    const blob = { z: 1.03, y: 2.06, x: 1.52, sigma: 0.2, amplitude: 100 };
    const [s] = detectSpots({ data: render([21, 41, 31], iso, [blob]), shape: [21, 41, 31] }, iso, { radius: 0.35, subpixel: false });
    expect(s!.x).toBeCloseTo(1.5, 9);
    expect(s!.y).toBeCloseTo(2.1, 9);
    expect(s!.z).toBeCloseTo(1.0, 9);
  });

  it('finds two blobs, best quality first, numbering from firstId, in the given frame', () => {
    const bright = { z: 1.0, y: 1.0, x: 1.0, sigma: 0.2, amplitude: 200 };
    const dim = { z: 1.0, y: 3.0, x: 2.0, sigma: 0.2, amplitude: 50 };
    const data = Uint16Array.from(render([21, 41, 31], iso, [dim, bright]), Math.round);
    const spots = detectSpots({ data, shape: [21, 41, 31] }, iso, { radius: 0.35, frame: 7, firstId: 100, threshold: tiny });
    expect(spots.map((s) => [s.id, s.frame])).toEqual([
      [100, 7],
      [101, 7],
    ]);
    expect(spots[0]!.y).toBeCloseTo(1.0, 1);
    expect(spots[1]!.y).toBeCloseTo(3.0, 1);
    expect(spots[0]!.quality).toBeGreaterThan(3 * spots[1]!.quality);
    expect(spots[0]!.intensity).toBeGreaterThan(spots[1]!.intensity);
  });

  it('drops spots at or below the quality threshold', () => {
    const data = render([21, 41, 31], iso, [
      { z: 1, y: 1, x: 1, sigma: 0.2, amplitude: 200 },
      { z: 1, y: 3, x: 2, sigma: 0.2, amplitude: 50 },
    ]);
    const all = detectSpots({ data, shape: [21, 41, 31] }, iso, { radius: 0.35, threshold: tiny });
    expect(all).toHaveLength(2);
    const between = (all[0]!.quality + all[1]!.quality) / 2;
    expect(detectSpots({ data, shape: [21, 41, 31] }, iso, { radius: 0.35, threshold: between }).map((s) => s.y)).toEqual([all[0]!.y]);
    expect(detectSpots({ data, shape: [21, 41, 31] }, iso, { radius: 0.35, threshold: all[0]!.quality })).toHaveLength(0);
  });

  it("keeps only the spots above Otsu's threshold of the candidates' qualities with autoThreshold (noise maxima dropped)", () => {
    const shape: [number, number, number] = [16, 48, 48];
    const blobs = [
      { z: 0.8, y: 1.2, x: 1.2, sigma: 0.15, amplitude: 120 },
      { z: 0.8, y: 3.4, x: 3.1, sigma: 0.15, amplitude: 150 },
      { z: 0.6, y: 2.0, x: 3.6, sigma: 0.15, amplitude: 90 },
    ];
    const data = render(shape, iso, blobs);
    let seed = 3;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < data.length; i++) data[i]! += 8 * (random() + random() + random() - 1.5);
    const all = detectSpots({ data, shape }, iso, { radius: 0.25, threshold: tiny });
    expect(all.length).toBeGreaterThan(50);
    const auto = detectSpots({ data, shape }, iso, { radius: 0.25, threshold: tiny, autoThreshold: true });
    expect(auto).toHaveLength(3);
    for (const b of blobs) expect(auto.some((s) => Math.hypot(s.x - b.x, s.y - b.y, s.z - b.z) < 0.05)).toBe(true);
  });

  it('sets the automatic threshold above the noise maxima: robust statistics with many candidates, Otsu with few', () => {
    let seed = 11;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // 5,000 noise maxima around 5 (spread 1.7), 30 spots from 16 up: Otsu would split the noise
    const noise = Array.from({ length: 5000 }, () => 5 + 1.7 * (random() + random() + random() + random() - 2) * 1.7);
    const spots = Array.from({ length: 30 }, (_, k) => 16 + k * 4);
    const threshold = autoQualityThreshold(Float64Array.from([...noise, ...spots]));
    expect(threshold).toBeLessThan(16);
    expect(noise.filter((q) => q > threshold).length).toBeLessThan(5);
    // few candidates (a clean image): Otsu between the two groups
    expect(autoQualityThreshold(Float64Array.from([1, 1.2, 0.9, 50, 52, 49]))).toBeGreaterThan(1.2);
    expect(autoQualityThreshold(Float64Array.from([1, 1.2, 0.9, 50, 52, 49]))).toBeLessThan(49);
  });

  it('handles anisotropic voxels in physical units', () => {
    const voxel = { x: 0.1, y: 0.1, z: 0.3 };
    const blob = { z: 1.27, y: 1.94, x: 1.61, sigma: 0.25, amplitude: 100 };
    const spots = detectSpots({ data: render([9, 41, 33], voxel, [blob]), shape: [9, 41, 33] }, voxel, { radius: 0.43, threshold: tiny });
    expect(spots).toHaveLength(1);
    expect(Math.abs(spots[0]!.z - blob.z)).toBeLessThan(0.1 * voxel.z);
    expect(Math.abs(spots[0]!.y - blob.y)).toBeLessThan(0.1 * voxel.y);
    expect(Math.abs(spots[0]!.x - blob.x)).toBeLessThan(0.1 * voxel.x);
  });

  it('detects in one plane (2-D)', () => {
    const voxel = { x: 0.2, y: 0.2, z: 1 };
    const blobs = [
      { z: 0, y: 3.13, x: 2.45, sigma: 0.4, amplitude: 80 },
      { z: 0, y: 6.5, x: 7.0, sigma: 0.4, amplitude: 40 },
    ];
    const spots = detectSpots({ data: render([1, 50, 50], voxel, blobs), shape: [1, 50, 50] }, voxel, { radius: 0.57, threshold: tiny });
    expect(spots).toHaveLength(2);
    expect(Math.abs(spots[0]!.x - 2.45)).toBeLessThan(0.02);
    expect(Math.abs(spots[0]!.y - 3.13)).toBeLessThan(0.02);
    expect(spots[0]!.z).toBe(0);
  });

  it('measures the mean intensity within the radius ellipsoid', () => {
    // A uniform ball of 100 on 0, larger than the radius: the mean inside the radius is 100.
    const voxel = { x: 0.1, y: 0.1, z: 0.25 };
    const shape: [number, number, number] = [13, 31, 31];
    const data = new Float32Array(13 * 31 * 31);
    for (let z = 0; z < 13; z++)
      for (let y = 0; y < 31; y++)
        for (let x = 0; x < 31; x++) {
          const r2 = (z * 0.25 - 1.5) ** 2 + (y * 0.1 - 1.5) ** 2 + (x * 0.1 - 1.5) ** 2;
          data[(z * 31 + y) * 31 + x] = r2 <= 0.6 * 0.6 ? 100 : 0;
        }
    const spots = detectSpots({ data, shape }, voxel, { radius: 0.5 });
    expect(spots.length).toBeGreaterThanOrEqual(1);
    expect(spots[0]!.intensity).toBeCloseTo(100, 6);
    expect(spots[0]!.x).toBeCloseTo(1.5, 1);
  });

  it('finds nothing on a flat image and rejects bad input', () => {
    expect(detectSpots({ data: new Float32Array(5 * 9 * 9).fill(3), shape: [5, 9, 9] }, iso, { radius: 0.3 })).toEqual([]);
    expect(() => detectSpots({ data: new Float32Array(5), shape: [1, 2, 3] }, iso, { radius: 0.3 })).toThrow(RangeError);
    expect(() => detectSpots({ data: new Float32Array(6), shape: [1, 2, 3] }, iso, { radius: 0 })).toThrow(RangeError);
    expect(() => detectSpots({ data: new Float32Array(6), shape: [1, 2, 3] }, { x: 0, y: 1, z: 1 }, { radius: 1 })).toThrow(RangeError);
  });
});

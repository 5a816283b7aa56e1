import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv, readTiffMetadata } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { describe, expect, it } from 'vitest';
import { deskewOffset, llsmGeometry, type LlsmGeometry } from './llsm-geometry.js';
import { amplitudeForSnr, generateLlsmSeries, type LlsmSeries } from './synthetic-llsm.js';
import { LLSM_TAG_REGEX, writeLlsmSeries } from './write-llsm-series.js';

type Shape = readonly [number, number, number];

/** The part of gpu-decon's addon this spec uses (loaded by path: the CLI does not depend on the plugin). */
interface DeskewAddon {
  deskew(options: { image: Uint16Array; shape: Shape; dz: number; dx: number; angle: number }): {
    promise: Promise<{ data: Float32Array; shape: [number, number, number]; shear: number; dz: number }>;
  };
}

const ADDON = fileURLToPath(new URL('../../../plugins/gpu-decon/build/Release/gpu_decon.node', import.meta.url));

function loadAddon(): { addon?: DeskewAddon; missing?: string } {
  if (!existsSync(ADDON)) return { missing: `the gpu-decon addon ${ADDON} was not built (FFTW missing when plugins/gpu-decon was built)` };
  try {
    return { addon: createRequire(import.meta.url)(ADDON) as DeskewAddon };
  } catch (error) {
    return { missing: `the gpu-decon addon does not load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

const loaded = loadAddon();
const noAddon = skipWithout('fftw', loaded.missing, import.meta.url);

/** gpu-decon's deskew, voxel by voxel (x_in = xo − W/2 − s·(z − nz/2) + nx/2, linear interpolation, 0 outside). */
function deskew(raw: ArrayLike<number>, g: LlsmGeometry): Float32Array {
  const [nz, ny, nx] = g.rawShape;
  const width = g.deskewedShape[2];
  const out = new Float32Array(nz * ny * width);
  for (let z = 0; z < nz; z++) {
    const exact = -width / 2 - g.shear * (z - nz / 2) + nx / 2;
    const offset = Math.abs(exact - Math.round(exact)) < 1e-6 ? Math.round(exact) : exact;
    const shift = Math.floor(offset);
    const f = offset - shift;
    for (let y = 0; y < ny; y++) {
      const row = (z * ny + y) * nx;
      for (let xo = 0; xo < width; xo++) {
        const x0 = xo + shift;
        let v = 0;
        if (x0 >= 0 && x0 + 1 <= nx - 1) v = (1 - f) * (raw[row + x0] as number) + f * (raw[row + x0 + 1] as number);
        else if (x0 === nx - 1 && f === 0) v = raw[row + x0] as number;
        out[(z * ny + y) * width + xo] = v;
      }
    }
  }
  return out;
}

/** FNV-1a of the bytes of a typed array. */
function hash(data: Uint16Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 16777619) >>> 0;
  return h;
}

/** Spots of frame `t` farther than `distance` µm (scaled by the PSF's anisotropy along z) from every other one. */
function isolatedSpots(series: LlsmSeries, t: number, distance: number, zScale: number): LlsmSeries['truth']['spots'] {
  const spots = series.truth.spots.filter((s) => s.frame === t);
  return spots.filter((a) => spots.every((b) => a === b || Math.hypot((a.z - b.z) / zScale, a.y - b.y, a.x - b.x) > distance));
}

/**
 * For every isolated truth spot of frame `t`: the offset (voxels, z y x) from its truth voxel to the
 * brightest deskewed voxel within ±4 voxels, and the background-subtracted centroid offset.
 */
function peakOffsets(series: LlsmSeries, deskewed: Float32Array, t: number): { peak: number[]; centroid: number[] }[] {
  const g = series.geometry;
  const [nz, ny, width] = g.deskewedShape;
  const nx = g.rawShape[2];
  // The centroid is unbiased only where the whole window was imaged.
  const inside = (z: number, y: number, x: number): boolean =>
    z >= 0 && z <= nz - 1 && y >= 4 && y <= ny - 5 && x - deskewOffset(g, z) >= 5 && x - deskewOffset(g, z) <= nx - 6;
  const level = series.offset + series.background;
  return isolatedSpots(series, t, 1.2, 3).map((s) => {
    const [cz, cy, cx] = [s.z / g.dzDeskewed, s.y / g.dx, s.x / g.dx];
    let best = -Infinity;
    let at = [0, 0, 0];
    let mass = 0;
    const moment = [0, 0, 0];
    for (let z = Math.round(cz) - 4; z <= Math.round(cz) + 4; z++)
      for (let y = Math.round(cy) - 4; y <= Math.round(cy) + 4; y++)
        for (let x = Math.round(cx) - 4; x <= Math.round(cx) + 4; x++) {
          if (z < 0 || y < 0 || x < 0 || z >= nz || y >= ny || x >= width) continue;
          const v = deskewed[(z * ny + y) * width + x] as number;
          if (v > best) [best, at] = [v, [z, y, x]];
          const w = Math.max(0, v - level);
          mass += w;
          moment[0]! += w * z;
          moment[1]! += w * y;
          moment[2]! += w * x;
        }
    const whole = inside(Math.round(cz) - 4, cy, cx) && inside(Math.round(cz) + 4, cy, cx);
    return {
      peak: [at[0]! - cz, at[1]! - cy, at[2]! - cx],
      centroid: whole ? [moment[0]! / mass - cz, moment[1]! / mass - cy, moment[2]! / mass - cx] : [],
    };
  });
}

describe('synthetic lattice light-sheet series', () => {
  it('computes the deskew geometry as gpu-decon does (published cudaDecon log: dz 0.36, dx 0.104, θ 32.8°)', () => {
    const g = llsmGeometry([180, 1, 313], 0.36, 0.104, 32.8);
    expect(g.shear).toBeCloseTo(2.9097, 4);
    expect(g.dzDeskewed).toBeCloseTo(0.19501, 5);
    expect(g.deskewedShape).toEqual([180, 1, 836]);
    expect(llsmGeometry([180, 1, 313], 0.36, 0.104, -32.8).shear).toBeCloseTo(-2.9097, 4);
    expect(() => llsmGeometry([2, 2, 2], 0.4, 0.1, 0)).toThrow(/nothing to deskew/);
    expect(() => llsmGeometry([2, 2, 2], 0, 0.1, 30)).toThrow(/dz must be a positive number/);
  });

  it('solves the ISBI SNR for the amplitude: A / √(A + b + σr²) = SNR', () => {
    for (const [snr, b, r] of [
      [1, 100, 2],
      [4, 100, 2],
      [7, 10, 0],
      [2, 0, 5],
    ] as const) {
      const a = amplitudeForSnr(snr, b, r);
      expect(a / Math.sqrt(a + b + r * r)).toBeCloseTo(snr, 10);
    }
  });

  it('is deterministic by seed, bit for bit, and the seed matters', () => {
    const options = { frames: 3, shape: [16, 40, 48] as const, particles: 6, seed: 7 };
    const a = generateLlsmSeries(options);
    const b = generateLlsmSeries(options);
    expect(a.frames.map((f) => hash(f.data))).toEqual(b.frames.map((f) => hash(f.data)));
    expect(a.truth).toEqual(b.truth);
    expect(a.psf.data).toEqual(b.psf.data);
    const c = generateLlsmSeries({ ...options, seed: 8 });
    expect(hash(c.frames[0]!.data)).not.toBe(hash(a.frames[0]!.data));
    expect(c.truth.spots[0]!.x).not.toBe(a.truth.spots[0]!.x);
    // Noise options do not move the particles.
    const where = (series: LlsmSeries): number[][] => series.truth.spots.map((s) => [s.frame, s.z, s.y, s.x]);
    expect(where(generateLlsmSeries({ ...options, snr: 20, readNoise: 5 }))).toEqual(where(a));
  });

  it('puts every truth position where the intensity peaks after the exact inverse shear (TS deskew)', () => {
    const series = generateLlsmSeries({ frames: 3, shape: [40, 64, 96], particles: 12, snr: 40, seed: 3 });
    expect(series.truth.tracks).toHaveLength(12);
    let checked = 0;
    let centred = 0;
    for (let t = 0; t < 3; t++) {
      const deskewed = deskew(series.frames[t]!.data, series.geometry);
      for (const { peak, centroid } of peakOffsets(series, deskewed, t)) {
        for (const d of peak) expect(Math.abs(d)).toBeLessThanOrEqual(1);
        for (const d of centroid) expect(Math.abs(d)).toBeLessThan(0.35);
        checked++;
        if (centroid.length > 0) centred++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(centred).toBeGreaterThan(10);
  });

  it.skipIf(noAddon)('puts every truth position where gpu-decon’s own deskew peaks, and matches the TS deskew', async () => {
    for (const angle of [31.5, -40]) {
      const series = generateLlsmSeries({ frames: 2, shape: [33, 50, 71], particles: 10, snr: 40, angle, seed: 5 });
      const g = series.geometry;
      for (let t = 0; t < 2; t++) {
        const raw = series.frames[t]!;
        const result = await loaded.addon!.deskew({ image: raw.data, shape: raw.shape, dz: g.dz, dx: g.dx, angle }).promise;
        expect(result.shape).toEqual(g.deskewedShape);
        expect(result.shear).toBeCloseTo(g.shear, 12);
        expect(result.dz).toBeCloseTo(g.dzDeskewed, 12);
        const ours = deskew(raw.data, g);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs((ours[i] as number) - (result.data[i] as number)));
        expect(worst).toBeLessThan(1e-2);
        const offsets = peakOffsets(series, result.data, t);
        expect(offsets.length).toBeGreaterThanOrEqual(2);
        for (const { peak, centroid } of offsets) {
          for (const d of peak) expect(Math.abs(d)).toBeLessThanOrEqual(1);
          for (const d of centroid) expect(Math.abs(d)).toBeLessThan(0.35);
        }
      }
    }
  });

  it('gives the requested SNR (ISBI 2012) measured on one generated frame, within 15%', () => {
    for (const snr of [2, 4, 7]) {
      const series = generateLlsmSeries({
        frames: 1,
        shape: [64, 256, 256],
        particles: 300,
        snr,
        diffusion: 0,
        velocity: 0,
        snapToVoxels: true,
        seed: 11 + snr,
      });
      const g = series.geometry;
      const [, ny, nx] = g.rawShape;
      const raw = series.frames[0]!.data;
      const spots = isolatedSpots(series, 0, 1.0, 3);
      expect(spots.length).toBeGreaterThan(150);
      const peaks = spots.map((s) => {
        const z = Math.round(s.z / g.dzDeskewed);
        const x = Math.round(s.x / g.dx - deskewOffset(g, z));
        return raw[(z * ny + Math.round(s.y / g.dx)) * nx + x] as number;
      });
      // Background: voxels of plane 0..2 corners far from every particle is not guaranteed, so use voxels ≥ 6σ away.
      const far: number[] = [];
      const all = series.truth.spots;
      for (let i = 0; i < raw.length; i += 97) {
        const z = Math.floor(i / (ny * nx));
        const y = Math.floor(i / nx) % ny;
        const x = (i % nx) + deskewOffset(g, z);
        const clear = all.every((s) => Math.hypot((z * g.dzDeskewed - s.z) / 0.35, (y * g.dx - s.y) / 0.12, (x * g.dx - s.x) / 0.12) > 6);
        if (clear) far.push(raw[i] as number);
      }
      const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
      const m = mean(peaks);
      const sd = Math.sqrt(peaks.reduce((a, v) => a + (v - m) ** 2, 0) / (peaks.length - 1));
      const measured = (m - mean(far)) / sd;
      expect(Math.abs(measured / snr - 1)).toBeLessThan(0.15);
      expect(mean(far)).toBeCloseTo(series.background + series.offset, 0);
    }
  });

  it('handles odd sizes and negative or steep angles, keeping every truth spot inside the imaged region', () => {
    for (const [shape, angle, boundary] of [
      [[7, 13, 21], 31.5, 'reflect'],
      [[9, 17, 15], -40, 'open'],
      [[1, 5, 5], 60, 'reflect'],
      [[11, 31, 29], 31.5, 'open'],
    ] as const) {
      const series = generateLlsmSeries({ frames: 5, shape, angle, particles: 4, boundary, velocity: 0.5, seed: 2 });
      const g = series.geometry;
      const [nz, ny, nx] = shape;
      expect(series.frames).toHaveLength(5);
      for (const f of series.frames) {
        expect(f.shape).toEqual(shape);
        expect(f.data).toHaveLength(nz * ny * nx);
        expect(f.physicalSize).toEqual({ z: 0.4, y: 0.104, x: 0.104 });
      }
      expect(series.psf.shape.every((n) => n % 2 === 1)).toBe(true);
      expect(series.psf.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      for (const s of series.truth.spots) {
        const z = s.z / g.dzDeskewed;
        const u = s.x / g.dx - deskewOffset(g, z);
        expect(z).toBeGreaterThanOrEqual(-1e-9);
        expect(z).toBeLessThanOrEqual(nz - 1 + 1e-9);
        expect(s.y / g.dx).toBeGreaterThanOrEqual(-1e-9);
        expect(s.y / g.dx).toBeLessThanOrEqual(ny - 1 + 1e-9);
        expect(u).toBeGreaterThanOrEqual(-1e-9);
        expect(u).toBeLessThanOrEqual(nx - 1 + 1e-9);
      }
      const ids = new Set(series.truth.spots.map((s) => s.id));
      for (const track of series.truth.tracks) {
        expect(track.spotIds.length).toBeGreaterThanOrEqual(2);
        expect(track.edges).toHaveLength(track.spotIds.length - 1);
        for (const id of track.spotIds) expect(ids.has(id)).toBe(true);
        const frames = track.spotIds.map((id) => series.truth.spots[id]!.frame);
        expect(frames).toEqual(frames.map((_, i) => frames[0]! + i));
      }
      if (boundary === 'reflect') expect(series.truth.tracks.map((t) => t.spotIds.length)).toEqual([5, 5, 5, 5]);
      expect(series.trackMotion).toHaveLength(series.truth.tracks.length);
    }
  });

  it('moves directed particles by their speed and Brownian ones by √(2DΔt) per axis', () => {
    const series = generateLlsmSeries({ frames: 6, shape: [64, 160, 160], particles: 200, diffusion: 0.004, velocity: 0.3, seed: 9, snr: 1 });
    const steps = { brownian: [] as number[], directed: [] as number[] };
    series.truth.tracks.forEach((track, k) => {
      for (const e of track.edges) steps[series.trackMotion[k]!].push(e.cost);
    });
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    // Brownian: E|Δ|² = 6DΔt (reflections aside); directed: v² + 6DΔt.
    expect(mean(steps.brownian) / (6 * 0.004)).toBeGreaterThan(0.85);
    expect(mean(steps.brownian) / (6 * 0.004)).toBeLessThan(1.15);
    expect(mean(steps.directed) / (0.09 + 6 * 0.004)).toBeGreaterThan(0.85);
    expect(mean(steps.directed) / (0.09 + 6 * 0.004)).toBeLessThan(1.15);
  });

  it('rejects invalid options', () => {
    expect(() => generateLlsmSeries({ frames: 0 })).toThrow(/frames must be a positive integer/);
    expect(() => generateLlsmSeries({ shape: [4, 0, 4] })).toThrow(/shape\[1\]/);
    expect(() => generateLlsmSeries({ particles: 3, density: 1 })).toThrow(/not both/);
    expect(() => generateLlsmSeries({ snr: 0 })).toThrow(/snr/);
    expect(() => generateLlsmSeries({ directedFraction: 2 })).toThrow(/directedFraction/);
  });

  it('writes cellN/cellN_tTTT.ome.tif frames, the PSF and the truth CSV, taggable by Cell and T', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bioimageit-llsm-'));
    try {
      const series = generateLlsmSeries({ frames: 3, shape: [6, 20, 24], particles: 3, seed: 4 });
      const written = await writeLlsmSeries(dir, series, { cell: 2 });
      expect(written).toEqual({
        frames: ['cell2/cell2_t000.ome.tif', 'cell2/cell2_t001.ome.tif', 'cell2/cell2_t002.ome.tif'],
        psf: 'cell2_psf.ome.tif',
        truth: 'cell2_truth_tracks.csv',
      });
      const meta = readTiffMetadata(await readFile(join(dir, written.frames[1]!)), 'frame');
      expect(meta).toMatchObject({ ome: true, dtype: 'uint16', axes: 'ZYX', shape: [6, 20, 24] });
      expect(meta.physicalSize?.z?.value).toBeCloseTo(0.4, 9);
      expect(meta.physicalSize?.x?.value).toBeCloseTo(0.104, 9);
      const psf = readTiffMetadata(await readFile(join(dir, written.psf)), 'psf');
      expect(psf).toMatchObject({ ome: true, dtype: 'float32', shape: [...series.psf.shape] });
      expect(psf.physicalSize?.z?.value).toBeCloseTo(series.geometry.dzDeskewed, 6);
      const rows = parseCsv(await readFile(join(dir, written.truth), 'utf8'));
      expect(rows[0]).toEqual(['track_id', 'spot_id', 'frame', 't', 'z', 'y', 'x', 'quality', 'intensity', 'radius', 'parent_ids']);
      expect(rows.filter((r) => r.length === 11)).toHaveLength(1 + series.truth.spots.length);
      const first = series.truth.spots.find((s) => s.id === Number(rows[1]![1]))!;
      expect(Number(rows[1]![6])).toBeCloseTo(first.x, 6);
      const match = new RegExp(LLSM_TAG_REGEX).exec(written.frames[2]!);
      expect(match?.groups).toEqual({ Cell: '2', T: '002' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { seededRandom } from '@bioimageit/core';
import type { Spot, Track, TrackedImage, TrackingResult } from '@bioimageit/tracking';
import { deskewOffset, llsmGeometry, type LlsmGeometry } from './llsm-geometry.js';

/**
 * A synthetic lattice light-sheet (stage-scanning) time series with known ground truth, for the
 * deskew → deconvolve → detect → track showcase and for tracking benchmarks.
 *
 * Geometry (the inverse of gpu-decon's deskew, `plugins/gpu-decon/native/deskew.cc`): a raw stack
 * has `nz` planes (one per stage step `dz`), `ny` rows and `nx` columns of pixel `dx`. With θ the
 * sheet angle (a negative angle means θ + 180°, as in gpu-decon), the shear is
 * `s = cos θ · dz / dx` pixels per plane, the deskewed stack has `nz × ny × W` voxels with
 * `W = nx + floor(nz · dz · |cos θ| / dx)` and voxel size `(dz · |sin θ|, dx, dx)`, and raw column
 * `xr` of plane `z` is deskewed column `xo = xr + W/2 − nx/2 + s · (z − nz/2)` (row and plane
 * unchanged). The deskewed frame is Cartesian (z along the detection axis), so particles move and
 * the PSF is defined there; each raw voxel samples the PSF at its deskewed position.
 */

/** A uint16 ZYX stack with its voxel size in µm. */
export interface LlsmStack {
  readonly data: Uint16Array;
  /** `[planes, rows, columns]`. */
  readonly shape: readonly [number, number, number];
  /** Voxel size in µm: the stage step along z, the pixel size along y and x. */
  readonly physicalSize: { readonly z: number; readonly y: number; readonly x: number };
}

/** The PSF sampled in the deskewed frame: float32 ZYX, odd sizes, centred, summing to 1. */
export interface LlsmPsf {
  readonly data: Float32Array;
  readonly shape: readonly [number, number, number];
  /** `(dz · |sin θ|, dx, dx)` in µm. */
  readonly physicalSize: { readonly z: number; readonly y: number; readonly x: number };
}

/**
 * The ground truth, a `@bioimageit/tracking` TrackingResult with its image: positions in the
 * deskewed stack's physical frame, origin at the centre of voxel (0, 0, 0), i.e.
 * `(z · dz|sin θ|, y · dx, xo · dx)` for deskewed voxel `(z, y, xo)` — what a perfect detector run
 * on gpu-decon's deskew output finds. Spots: quality 1, intensity the peak amplitude above
 * background (photons), radius √3 · σxy of the PSF (the radius a 3-D LoG detector is tuned with).
 */
export type LlsmTruth = TrackingResult & { readonly image: TrackedImage };

/** What {@link generateLlsmSeries} draws; every field has a default. */
export interface LlsmSeriesOptions {
  /** Time points (default 20). */
  readonly frames?: number;
  /** Raw (skewed) stack size `[planes, rows, columns]` (default `[64, 256, 256]`). */
  readonly shape?: readonly [number, number, number];
  /** Lateral pixel size in µm (default 0.104). */
  readonly dx?: number;
  /** Stage step between raw planes in µm (default 0.4). */
  readonly dz?: number;
  /** Sheet angle in degrees, gpu-decon's convention (default 31.5). */
  readonly angle?: number;
  /** Seconds between frames (default 1). */
  readonly frameInterval?: number;
  /** Particles in the imaged volume (default 50); exclusive with `density`. */
  readonly particles?: number;
  /** Particles per µm³ of imaged volume (`nz·dz|sin θ| · ny·dx · nx·dx`); exclusive with `particles`. */
  readonly density?: number;
  /** Fraction of particles with directed motion (default 0.5); the others are purely Brownian. */
  readonly directedFraction?: number;
  /** Diffusion coefficient D in µm²/s of every particle (default 0.01): steps N(0, 2·D·Δt) per axis. */
  readonly diffusion?: number;
  /** Speed in µm/s of directed particles, in a random 3-D direction drawn once (default 0.2). */
  readonly velocity?: number;
  /**
   * `reflect` (default): particles stay inside the imaged region shrunk by a margin of 2σ of the
   * PSF per side (along deskewed z, y and raw x), reflected at its faces (directed ones turn back);
   * each particle is one track over all frames. `open`: particles move freely, start uniformly in
   * that region grown by the distance they can travel (at the same density), and are in the truth
   * only in frames where they are inside it; each run of consecutive visible frames is a track
   * (a run of one frame is a lone spot).
   */
  readonly boundary?: 'reflect' | 'open';
  /** Gaussian PSF standard deviations in µm in the deskewed frame (default σxy 0.12, σz 0.35). */
  readonly psf?: { readonly sigmaXy?: number; readonly sigmaZ?: number };
  /** Signal-to-noise ratio, ISBI 2012 definition: see {@link amplitudeForSnr} (default 4). */
  readonly snr?: number;
  /** Mean background in photons per voxel (default 100). */
  readonly background?: number;
  /** Camera read noise, standard deviation in photons (default 2). */
  readonly readNoise?: number;
  /** Camera offset added to every voxel, in counts (default 100). */
  readonly offset?: number;
  /** Start particles at raw voxel centres, where the PSF peak is sampled exactly (SNR calibration). */
  readonly snapToVoxels?: boolean;
  /** Seed: the same options and seed give the same series, bit for bit (default 2012). */
  readonly seed?: number;
}

/** A generated series: raw stacks by frame, the PSF, the ground truth, and the geometry. */
export interface LlsmSeries {
  readonly frames: readonly LlsmStack[];
  readonly psf: LlsmPsf;
  readonly truth: LlsmTruth;
  readonly geometry: LlsmGeometry;
  /** The motion of each truth track, by track id. */
  readonly trackMotion: readonly ('brownian' | 'directed')[];
  /** Peak amplitude above background (photons) that gives the requested SNR. */
  readonly amplitude: number;
  readonly snr: number;
  readonly background: number;
  readonly readNoise: number;
  readonly offset: number;
}

/**
 * The peak amplitude A (photons above background) for an SNR, in the manner of the ISBI 2012
 * particle-tracking challenge (Chenouard et al., Nat. Methods 11:281–289, 2014): SNR is the peak
 * intensity above the mean background divided by the standard deviation of the noise at the peak.
 * Here a voxel holds Poisson(b + signal) photons plus Gaussian read noise σr, so the noise at the
 * peak has variance A + b + σr² and SNR = A / √(A + b + σr²), solved for A.
 */
export function amplitudeForSnr(snr: number, background: number, readNoise: number): number {
  const s2 = snr * snr;
  return (s2 + Math.sqrt(s2 * s2 + 4 * s2 * (background + readNoise * readNoise))) / 2;
}

/** A fast seeded generator: core's mulberry32 uniforms and polar-method normal deviates. */
class Random {
  private readonly next: () => number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  uniform(): number {
    return this.next();
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }
}

/** Below this mean, Poisson counts are drawn exactly (inversion); above, by the normal approximation. */
const EXACT_POISSON_BELOW = 25;

interface Particle {
  /** Position in deskewed voxel units (z plane, y row, x deskewed column), continuous. */
  z: number;
  y: number;
  x: number;
  /** Velocity in deskewed voxels per frame. */
  vz: number;
  vy: number;
  vx: number;
  readonly directed: boolean;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
  return value;
}

/** The whole voxel nearest `v` inside `[lo, hi]` (or nearest `v` when none is inside). */
function snap(v: number, [lo, hi]: readonly [number, number]): number {
  const [a, b] = [Math.ceil(lo), Math.floor(hi)];
  return a > b ? Math.round(v) : Math.min(Math.max(Math.round(v), a), b);
}

/** Folds `v` into `[lo, hi]` by reflection at the faces; returns the value and whether the direction flipped. */
function reflect(v: number, lo: number, hi: number): [number, boolean] {
  if (hi <= lo) return [lo, false];
  const period = 2 * (hi - lo);
  let r = (v - lo) % period;
  if (r < 0) r += period;
  return r <= hi - lo ? [lo + r, false] : [lo + period - r, true];
}

/**
 * Generates a stage-scanning lattice light-sheet time series of diffraction-limited particles.
 *
 * Per frame: particles move in the deskewed frame (Brownian steps of variance 2·D·Δt per axis;
 * directed ones also by their velocity); each is rendered as the Gaussian PSF of peak amplitude A
 * ({@link amplitudeForSnr}) evaluated at every raw voxel's deskewed position within 4σ of its
 * centre; each voxel then holds Poisson(b + signal) photons (exact below a mean of 25, normal
 * approximation above) plus N(0, σr²) read noise plus the camera offset, rounded and clamped to
 * uint16. Motion and noise draw from two streams of the seed, so noise options do not change the
 * trajectories. Throws RangeError on invalid options. 20 frames of 64×256×256 take a few seconds.
 */
export function generateLlsmSeries(options: LlsmSeriesOptions = {}): LlsmSeries {
  const frames = positiveInteger('frames', options.frames ?? 20);
  const rawShape = options.shape ?? ([64, 256, 256] as const);
  rawShape.forEach((n, i) => positiveInteger(`shape[${i}]`, n));
  const dx = options.dx ?? 0.104;
  const g = llsmGeometry(rawShape, options.dz ?? 0.4, dx, options.angle ?? 31.5);
  const [nz, ny, nx] = g.rawShape;
  const dzd = g.dzDeskewed;
  const frameInterval = options.frameInterval ?? 1;
  if (!(frameInterval > 0) || !Number.isFinite(frameInterval)) throw new RangeError(`frameInterval must be a positive number, got ${frameInterval}`);
  const sigmaXy = options.psf?.sigmaXy ?? 0.12;
  const sigmaZ = options.psf?.sigmaZ ?? 0.35;
  if (!(sigmaXy > 0) || !(sigmaZ > 0) || !Number.isFinite(sigmaXy) || !Number.isFinite(sigmaZ)) {
    throw new RangeError(`PSF sigmas must be positive numbers, got σxy ${sigmaXy}, σz ${sigmaZ}`);
  }
  const snr = options.snr ?? 4;
  if (!(snr > 0) || !Number.isFinite(snr)) throw new RangeError(`snr must be a positive number, got ${snr}`);
  const background = nonNegative('background', options.background ?? 100);
  const readNoise = nonNegative('readNoise', options.readNoise ?? 2);
  const offset = nonNegative('offset', options.offset ?? 100);
  const diffusion = nonNegative('diffusion', options.diffusion ?? 0.01);
  const speed = nonNegative('velocity', options.velocity ?? 0.2);
  const directedFraction = options.directedFraction ?? 0.5;
  if (!(directedFraction >= 0 && directedFraction <= 1)) throw new RangeError(`directedFraction must be in [0, 1], got ${directedFraction}`);
  const boundary = options.boundary ?? 'reflect';
  if (boundary !== 'reflect' && boundary !== 'open') throw new RangeError(`boundary must be 'reflect' or 'open', got ${String(boundary)}`);
  if (options.particles !== undefined && options.density !== undefined) throw new RangeError('give particles or density, not both');
  const volume = nz * dzd * ny * dx * nx * dx;
  const count = options.density !== undefined ? Math.round(nonNegative('density', options.density) * volume) : (options.particles ?? 50);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`particles must be an integer ≥ 0, got ${count}`);
  const amplitude = amplitudeForSnr(snr, background, readNoise);
  const seed = options.seed ?? 2012;

  // The visible box in (plane, row, raw column) coordinates: the imaged region less 2σ per side.
  const margin = (n: number, m: number): [number, number] => {
    const k = Math.min(m, (n - 1) / 2);
    return [k, n - 1 - k];
  };
  const box = [margin(nz, (2 * sigmaZ) / dzd), margin(ny, (2 * sigmaXy) / dx), margin(nx, (2 * sigmaXy) / dx)] as const;
  const motion = new Random(seed);
  const stepSd = Math.sqrt(2 * diffusion * frameInterval);
  const travel = speed * frameInterval * (frames - 1) + 3 * stepSd * Math.sqrt(frames - 1);
  const grow = boundary === 'open' ? [travel / dzd, travel / dx, travel / dx] : [0, 0, 0];
  const start = box.map(([lo, hi], i) => [lo - grow[i]!, hi + grow[i]!] as const);
  const extent = (b: readonly [number, number]): number => Math.max(b[1] - b[0], 1e-9);
  const total = boundary === 'open' ? Math.round((count * start.reduce((p, b) => p * extent(b), 1)) / box.reduce((p, b) => p * extent(b), 1)) : count;

  const particles: Particle[] = [];
  for (let i = 0; i < total; i++) {
    let z = start[0]![0] + motion.uniform() * (start[0]![1] - start[0]![0]);
    let y = start[1]![0] + motion.uniform() * (start[1]![1] - start[1]![0]);
    let u = start[2]![0] + motion.uniform() * (start[2]![1] - start[2]![0]);
    if (options.snapToVoxels === true) [z, y, u] = [snap(z, box[0]), snap(y, box[1]), snap(u, box[2])];
    const directed = motion.uniform() < directedFraction;
    // A uniform direction on the sphere, in µm per frame, then in voxels per frame.
    const cz = 2 * motion.uniform() - 1;
    const phi = 2 * Math.PI * motion.uniform();
    const sxy = Math.sqrt(1 - cz * cz);
    const v = directed ? speed * frameInterval : 0;
    particles.push({
      z,
      y,
      x: u + deskewOffset(g, z),
      vz: (v * cz) / dzd,
      vy: (v * sxy * Math.sin(phi)) / dx,
      vx: (v * sxy * Math.cos(phi)) / dx,
      directed,
    });
  }

  const move = (p: Particle): void => {
    let z = p.z + p.vz + (stepSd * motion.normal()) / dzd;
    let y = p.y + p.vy + (stepSd * motion.normal()) / dx;
    const x = p.x + p.vx + (stepSd * motion.normal()) / dx;
    if (boundary === 'open') {
      [p.z, p.y, p.x] = [z, y, x];
      return;
    }
    // Reflection in (plane, row, raw column) coordinates, where the visible region is a box.
    let u = x - deskewOffset(g, z);
    let vu = p.vx - g.shear * p.vz;
    let flipped: boolean;
    [z, flipped] = reflect(z, box[0][0], box[0][1]);
    if (flipped) p.vz = -p.vz;
    [y, flipped] = reflect(y, box[1][0], box[1][1]);
    if (flipped) p.vy = -p.vy;
    [u, flipped] = reflect(u, box[2][0], box[2][1]);
    if (flipped) vu = -vu;
    p.vx = vu + g.shear * p.vz;
    [p.z, p.y, p.x] = [z, y, u + deskewOffset(g, z)];
  };

  const visible = (p: Particle): boolean => {
    const u = p.x - deskewOffset(g, p.z);
    return p.z >= box[0][0] && p.z <= box[0][1] && p.y >= box[1][0] && p.y <= box[1][1] && u >= box[2][0] && u <= box[2][1];
  };

  // Trajectories first (so the noise stream never touches them), then the truth.
  const positions: [number, number, number][][] = particles.map(() => []);
  for (let t = 0; t < frames; t++) {
    particles.forEach((p, i) => {
      if (t > 0) move(p);
      positions[i]!.push([p.z, p.y, p.x]);
    });
  }
  const truth = buildTruth(particles, positions, frames, { dzd, dx, amplitude, radius: Math.sqrt(3) * sigmaXy, frameInterval, g }, (i, t) => {
    const [z, y, x] = positions[i]![t]!;
    return visible({ ...particles[i]!, z, y, x });
  });

  const noise = new Random((seed ^ 0x9e3779b9) >>> 0);
  const expected = new Float32Array(nz * ny * nx);
  const stacks: LlsmStack[] = [];
  const render = { g, dzd, dx, sigmaXy, sigmaZ, amplitude };
  for (let t = 0; t < frames; t++) {
    expected.fill(background);
    for (const track of positions) renderParticle(expected, track[t]!, render);
    stacks.push({ data: addNoise(expected, noise, readNoise, offset), shape: g.rawShape, physicalSize: { z: g.dz, y: dx, x: dx } });
  }

  return {
    frames: stacks,
    psf: samplePsf(sigmaXy, sigmaZ, dzd, dx),
    truth: truth.result,
    geometry: g,
    trackMotion: truth.motion,
    amplitude,
    snr,
    background,
    readNoise,
    offset,
  };
}

interface TruthContext {
  readonly dzd: number;
  readonly dx: number;
  readonly amplitude: number;
  readonly radius: number;
  readonly frameInterval: number;
  readonly g: LlsmGeometry;
}

function buildTruth(
  particles: readonly Particle[],
  positions: readonly (readonly [number, number, number])[][],
  frames: number,
  c: TruthContext,
  isVisible: (particle: number, frame: number) => boolean,
): { result: LlsmTruth; motion: ('brownian' | 'directed')[] } {
  // Runs of consecutive visible frames, per particle.
  const runs: { particle: number; from: number; to: number }[] = [];
  particles.forEach((_, i) => {
    let from = -1;
    for (let t = 0; t <= frames; t++) {
      const on = t < frames && isVisible(i, t);
      if (on && from < 0) from = t;
      if (!on && from >= 0) {
        runs.push({ particle: i, from, to: t - 1 });
        from = -1;
      }
    }
  });
  // Spot ids in frame order, then run order.
  const spotIds = runs.map((r) => new Array<number>(r.to - r.from + 1));
  const spots: Spot[] = [];
  for (let t = 0; t < frames; t++) {
    runs.forEach((r, k) => {
      if (t < r.from || t > r.to) return;
      const [z, y, x] = positions[r.particle]![t]!;
      const id = spots.length;
      spotIds[k]![t - r.from] = id;
      spots.push({ id, frame: t, x: x * c.dx, y: y * c.dx, z: z * c.dzd, quality: 1, intensity: c.amplitude, radius: c.radius });
    });
  }
  const tracks: Track[] = [];
  const motion: ('brownian' | 'directed')[] = [];
  runs.forEach((r, k) => {
    const ids = spotIds[k]!;
    if (ids.length < 2) return;
    const edges = ids.slice(1).map((target, j) => {
      const a = spots[ids[j]!]!;
      const b = spots[target]!;
      return { source: a.id, target, cost: (a.x - b.x) ** 2 + (a.y - b.y) ** 2 + (a.z - b.z) ** 2 };
    });
    tracks.push({ id: tracks.length, spotIds: ids, edges });
    motion.push(particles[r.particle]!.directed ? 'directed' : 'brownian');
  });
  const [nz, ny, width] = c.g.deskewedShape;
  return {
    result: {
      spots,
      tracks,
      spaceUnit: 'µm',
      timeUnit: 's',
      frameInterval: c.frameInterval,
      image: { filename: '', folder: '', width, height: ny, nslices: nz, nframes: frames, pixelWidth: c.dx, pixelHeight: c.dx, voxelDepth: c.dzd },
    },
    motion,
  };
}

interface RenderContext {
  readonly g: LlsmGeometry;
  readonly dzd: number;
  readonly dx: number;
  readonly sigmaXy: number;
  readonly sigmaZ: number;
  readonly amplitude: number;
}

/** Adds one particle (deskewed voxel position) to the raw expected-photon stack, within 4σ. */
function renderParticle(out: Float32Array, [pz, py, px]: readonly [number, number, number], c: RenderContext): void {
  const [nz, ny, nx] = c.g.rawShape;
  const rz = (4 * c.sigmaZ) / c.dzd;
  const rxy = (4 * c.sigmaXy) / c.dx;
  const z0 = Math.max(0, Math.ceil(pz - rz));
  const z1 = Math.min(nz - 1, Math.floor(pz + rz));
  const y0 = Math.max(0, Math.ceil(py - rxy));
  const y1 = Math.min(ny - 1, Math.floor(py + rxy));
  if (z0 > z1 || y0 > y1) return;
  const kz = (c.dzd * c.dzd) / (2 * c.sigmaZ * c.sigmaZ);
  const kxy = (c.dx * c.dx) / (2 * c.sigmaXy * c.sigmaXy);
  const gy = new Float64Array(y1 - y0 + 1);
  for (let y = y0; y <= y1; y++) gy[y - y0] = Math.exp(-kxy * (y - py) ** 2);
  const gx = new Float64Array(Math.ceil(2 * rxy) + 2);
  for (let z = z0; z <= z1; z++) {
    const wz = c.amplitude * Math.exp(-kz * (z - pz) ** 2);
    const ux = px - deskewOffset(c.g, z);
    const x0 = Math.max(0, Math.ceil(ux - rxy));
    const x1 = Math.min(nx - 1, Math.floor(ux + rxy));
    if (x0 > x1) continue;
    for (let x = x0; x <= x1; x++) gx[x - x0] = wz * Math.exp(-kxy * (x - ux) ** 2);
    for (let y = y0; y <= y1; y++) {
      const w = gy[y - y0]!;
      const row = (z * ny + y) * nx;
      for (let x = x0; x <= x1; x++) out[row + x]! += w * gx[x - x0]!;
    }
  }
}

/** Poisson photons plus Gaussian read noise plus offset, rounded and clamped to uint16. */
function addNoise(expected: Float32Array, random: Random, readNoise: number, offset: number): Uint16Array {
  const out = new Uint16Array(expected.length);
  const read2 = readNoise * readNoise;
  for (let i = 0; i < expected.length; i++) {
    const lambda = expected[i]!;
    let v: number;
    if (lambda >= EXACT_POISSON_BELOW) {
      v = lambda + Math.sqrt(lambda + read2) * random.normal();
    } else {
      const u = random.uniform();
      let p = Math.exp(-lambda);
      let sum = p;
      let k = 0;
      while (u > sum && k < 200) {
        k++;
        p *= lambda / k;
        sum += p;
      }
      v = readNoise > 0 ? k + readNoise * random.normal() : k;
    }
    v = Math.round(v + offset);
    out[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
  }
  return out;
}

/** The Gaussian PSF on the deskewed grid, ±4σ (at least ±1 voxel) per axis, normalised to sum 1. */
function samplePsf(sigmaXy: number, sigmaZ: number, dzd: number, dx: number): LlsmPsf {
  const hz = Math.max(1, Math.ceil((4 * sigmaZ) / dzd));
  const hxy = Math.max(1, Math.ceil((4 * sigmaXy) / dx));
  const [nz, n] = [2 * hz + 1, 2 * hxy + 1];
  const data = new Float32Array(nz * n * n);
  let sum = 0;
  let i = 0;
  for (let z = -hz; z <= hz; z++)
    for (let y = -hxy; y <= hxy; y++)
      for (let x = -hxy; x <= hxy; x++, i++) {
        const v = Math.exp(-((z * dzd) ** 2) / (2 * sigmaZ * sigmaZ) - ((y * y + x * x) * dx * dx) / (2 * sigmaXy * sigmaXy));
        data[i] = v;
        sum += v;
      }
  for (let k = 0; k < data.length; k++) data[k] = data[k]! / sum;
  return { data, shape: [nz, n, n], physicalSize: { z: dzd, y: dx, x: dx } };
}

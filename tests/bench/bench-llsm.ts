/**
 * Lattice light-sheet showcase benchmark (`npm run bench:llsm`), three parts in one run:
 *
 * 1. Step times on a generated 20-time-point series of raw 64×256×256 stacks (deskewed 64×256×457):
 *    generation, deskew, Richardson–Lucy deconvolution (10 iterations, gpu-decon's addon on the
 *    CPU), spot detection (LoG, Otsu auto threshold), tracking, rendering (MIP series + APNG).
 * 2. The tracker alone: 100 frames of 1,000 spots (median of 3; target ≤ 2 s on 2 cores) and 100
 *    frames of 10,000 spots (once, reported).
 * 3. Tracking accuracy in the manner of the ISBI 2012 particle-tracking challenge (Chenouard et
 *    al., Nat. Methods 2014) on generated ground truth: SNR 1, 2, 4, 7 × two densities, detection
 *    on the deskewed raw data and on the deconvolved data, the same tracker; Jaccard of matched
 *    points, of links and of tracks, and RMSE of positions (gate 5 pixels), in nm and in voxels
 *    (each axis' error divided by the deskewed voxel's size along it: 0.104, 0.104, 0.209 µm).
 *    Targets: at SNR 4 and the lower density, deconvolved point Jaccard ≥ 0.9 and RMSE ≤ 0.5
 *    voxel; deconvolution not worse than raw.
 *
 * Needs the gpu-decon addon (FFTW): without it, parts 1 and 3 are skipped with the reason.
 *
 * Usage: npm run bench:llsm [-- --frames 20] [-- --accuracy-frames 10] [-- --skip-steps] [-- --skip-accuracy]
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadNativeAddon, type NativeAddon } from '@bioimageit/gpu-decon';
import { detectSpots, evaluateTracking, maxProjectZ, renderTrackMovie, trackSpots, type Spot, type TrackingResult } from '@bioimageit/tracking';
import { generateLlsmSeries, type LlsmSeries, type LlsmSeriesOptions } from '../../cli/src/demo/synthetic-llsm.js';
import { benchTracker } from '../../plugins/tracking/bench/bench-tracker.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '20' },
    'accuracy-frames': { type: 'string', default: '10' },
    'skip-steps': { type: 'boolean', default: false },
    'skip-accuracy': { type: 'boolean', default: false },
    'skip-tracker': { type: 'boolean', default: false },
  },
});

/** Settings of the showcase pipeline (cli/tools/llsm-pipeline.json). */
const RADIUS = 0.25;
const BACKGROUND = 200;
const ITERATIONS = 10;
const LINKING = 1.0;
const GATE_PIXELS = 5;

interface Processed {
  readonly raw: TrackingResult;
  readonly decon: TrackingResult;
  readonly times: Record<string, number>;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function addon(): NativeAddon | string {
  try {
    return loadNativeAddon();
  } catch (error) {
    return (error as Error).message;
  }
}

/** Deskews, deconvolves, detects (on both) and tracks a series, timing each step. */
async function runShowcase(native: NativeAddon, series: LlsmSeries, render: boolean): Promise<Processed> {
  const times: Record<string, number> = { deskew: 0, deconvolve: 0, detect: 0, track: 0, render: 0 };
  const g = series.geometry;
  const voxel = { x: g.dx, y: g.dx, z: g.dzDeskewed };
  const rawSpots: Spot[] = [];
  const deconSpots: Spot[] = [];
  const mips: Float32Array[] = [];
  let width = 0;
  let height = 0;
  for (const [frame, stack] of series.frames.entries()) {
    let t = performance.now();
    const deskewed = await native.deskew({ image: stack.data, shape: stack.shape, dz: g.dz, dx: g.dx, angle: g.angle, padValue: BACKGROUND }).promise;
    times['deskew']! += performance.now() - t;
    t = performance.now();
    const decon = await native.deconvolve({
      image: deskewed.data,
      shape: deskewed.shape,
      psf: series.psf.data,
      psfShape: series.psf.shape,
      iterations: ITERATIONS,
      background: BACKGROUND,
      psfBackground: 0,
    }).promise;
    times['deconvolve']! += performance.now() - t;
    t = performance.now();
    const options = { radius: RADIUS, autoThreshold: true, frame };
    rawSpots.push(...detectSpots({ data: deskewed.data, shape: deskewed.shape }, voxel, { ...options, firstId: rawSpots.length }));
    deconSpots.push(...detectSpots({ data: decon.data, shape: decon.shape }, voxel, { ...options, firstId: deconSpots.length }));
    times['detect']! += (performance.now() - t) / 2;
    if (render) {
      mips.push(maxProjectZ({ data: decon.data, shape: decon.shape }));
      [, height, width] = decon.shape;
    }
  }
  const t = performance.now();
  const link = (spots: Spot[]): TrackingResult => ({
    spots,
    tracks: trackSpots(spots, { maxLinkingDistance: LINKING, maxFrameGap: 2 }).map((track, id) => ({ ...track, id })),
    spaceUnit: 'µm',
    timeUnit: 's',
    frameInterval: 1,
  });
  const decon = link(deconSpots);
  times['track'] = performance.now() - t;
  const raw = link(rawSpots);
  if (render) {
    const r = performance.now();
    renderTrackMovie({ mips, width, height, result: decon, pixelSize: { x: g.dx, y: g.dx } }, { tail: 10, delayMs: 200 });
    times['render'] = performance.now() - r;
  }
  return { raw, decon, times };
}

async function stepTimes(native: NativeAddon, frames: number): Promise<void> {
  console.log(`\n1. Step times: ${frames} time points of raw 64×256×256 uint16 stacks (50 vesicles, SNR 4)`);
  let t = performance.now();
  const series = generateLlsmSeries({ frames, shape: [64, 256, 256], particles: 50, snr: 4, seed: 7 });
  const generate = performance.now() - t;
  const [nz, ny, nx] = series.geometry.deskewedShape;
  t = performance.now();
  const { times, decon } = await runShowcase(native, series, true);
  const total = performance.now() - t;
  const rows: [string, number][] = [
    ['generate (synthetic data)', generate],
    [`deskew → ${nz}×${ny}×${nx}`, times['deskew']!],
    [`deconvolve (RL, ${ITERATIONS} iterations, CPU)`, times['deconvolve']!],
    ['detect spots (LoG, auto threshold)', times['detect']!],
    ['track (LAP, gap closing)', times['track']!],
    ['render (MIPs + animated PNG)', times['render']!],
  ];
  for (const [label, ms] of rows) console.log(`   ${label.padEnd(40)} ${seconds(ms).padStart(9)}  (${(ms / frames).toFixed(0)} ms per time point)`);
  console.log(`   ${'pipeline (deskew → render)'.padEnd(40)} ${seconds(total).padStart(9)}; ${decon.tracks.length} tracks of ${decon.spots.length} spots`);
}

function trackerTimes(): void {
  console.log('\n2. Tracker alone (Brownian spots in a 6.4×25.6×25.6 µm volume, 2 % of detections missed)');
  const small = benchTracker(1000, 100, 3);
  console.log(
    `   100 frames × 1,000 spots   ${seconds(small.medianMs).padStart(9)} (median of 3; target ≤ 2 s: ${small.medianMs <= 2000 ? 'PASS' : 'FAIL'}), ${(100 * small.correctLinks).toFixed(2)} % links correct`,
  );
  const large = benchTracker(10_000, 100, 1);
  console.log(
    `   100 frames × 10,000 spots  ${seconds(large.medianMs).padStart(9)} (once, reported), ${(100 * large.correctLinks).toFixed(2)} % links correct`,
  );
}

async function accuracy(native: NativeAddon, frames: number): Promise<void> {
  console.log(`\n3. Accuracy (ISBI 2012 measures, gate ${GATE_PIXELS} px): ${frames} time points of raw 40×128×128 stacks, Brownian + directed vesicles`);
  const densities: [string, LlsmSeriesOptions][] = [
    ['low (24 vesicles)', { particles: 24 }],
    ['high (96 vesicles)', { particles: 96 }],
  ];
  console.log(`   ${'density'.padEnd(20)} SNR  data     Jaccard points  links  tracks   RMSE nm (voxels)`);
  let target: { jp: number; rmseVoxels: number; rawJp: number } | undefined;
  let notWorse = true;
  for (const [label, density] of densities) {
    for (const snr of [1, 2, 4, 7]) {
      const series = generateLlsmSeries({ frames, shape: [40, 128, 128], snr, seed: 100 + snr, ...density });
      const gate = GATE_PIXELS * series.geometry.dx;
      const { raw, decon } = await runShowcase(native, series, false);
      const voxel = { x: series.geometry.dx, y: series.geometry.dx, z: series.geometry.dzDeskewed };
      const scores = { raw: evaluateTracking(series.truth, raw, { gate, voxel }), decon: evaluateTracking(series.truth, decon, { gate, voxel }) };
      for (const kind of ['raw', 'decon'] as const) {
        const s = scores[kind];
        const rmseVoxels = s.rmseVoxels ?? NaN;
        console.log(
          `   ${(kind === 'raw' ? label : '').padEnd(20)} ${String(snr).padStart(3)}  ${kind === 'raw' ? 'deskewed' : 'deconv. '}  ${s.jaccardPoints.toFixed(3).padStart(13)}  ${s.jaccardLinks.toFixed(3)}  ${s.jaccardTracks.toFixed(3).padStart(6)}   ${Number.isFinite(s.rmse) ? `${(s.rmse * 1000).toFixed(0).padStart(7)} (${rmseVoxels.toFixed(2)})` : '      –'}`,
        );
      }
      if (scores.decon.jaccardPoints + 0.02 < scores.raw.jaccardPoints) notWorse = false;
      if (snr === 4 && density.particles === 24)
        target = { jp: scores.decon.jaccardPoints, rmseVoxels: scores.decon.rmseVoxels ?? NaN, rawJp: scores.raw.jaccardPoints };
    }
  }
  if (target !== undefined) {
    const pass = target.jp >= 0.9 && target.rmseVoxels <= 0.5;
    console.log(
      `   target at SNR 4, low density: point Jaccard ${target.jp.toFixed(3)} (≥ 0.9), RMSE ${target.rmseVoxels.toFixed(2)} voxel (≤ 0.5; deskewed voxel 0.104 × 0.104 × 0.209 µm, each axis' error in its own voxel size): ${pass ? 'PASS' : 'FAIL'}`,
    );
  }
  console.log(`   deconvolution not worse than deskewed raw data (point Jaccard within 0.02 in every scenario): ${notWorse ? 'PASS' : 'FAIL'}`);
}

console.log(`bench:llsm on ${availableParallelism()} cores (load ${loadavg()[0]?.toFixed(1)}), Node ${process.version}`);
const native = addon();
if (typeof native === 'string') console.log(`gpu-decon addon unavailable (${native}): step times and accuracy skipped`);
if (typeof native !== 'string' && !values['skip-steps']) await stepTimes(native, Number(values.frames));
if (!values['skip-tracker']) trackerTimes();
if (typeof native !== 'string' && !values['skip-accuracy']) await accuracy(native, Number(values['accuracy-frames']));

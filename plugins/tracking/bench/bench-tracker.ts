/**
 * Benchmark of the LAP tracker: Brownian spots in a lattice light-sheet sized volume (64 × 256 × 256
 * voxels of 0.1 µm, i.e. 6.4 × 25.6 × 25.6 µm), 100 frames of 1,000 spots (median of 3) and 100
 * frames of 10,000 spots (once), 2 % of detections missed so gap closing has work to do, linked
 * with a gate of four typical steps. Prints the times and the fraction of correct links.
 *
 *   node --conditions=source --import tsx plugins/tracking/bench/bench-tracker.ts [--frames 100] [--repeats 3] [--large 10000]
 */
import { seededRandom } from '@bioimageit/core';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { trackSpots } from '../src/lap-tracker.js';
import type { Spot } from '../src/track-model.js';

/** One benchmark figure. */
export interface TrackerBenchResult {
  readonly spotsPerFrame: number;
  readonly frames: number;
  readonly repeats: number;
  /** Median wall time of trackSpots, ms. */
  readonly medianMs: number;
  readonly tracks: number;
  /** Fraction of links joining detections of one particle. */
  readonly correctLinks: number;
}

/** Brownian particles in a box (reflecting walls), each frame's detections with 2 % missed. */
export function brownianSpots(particles: number, frames: number, seed = 1): { spots: Spot[]; truth: Int32Array; step: number } {
  const random = seededRandom(seed);
  const box = [25.6, 25.6, 6.4];
  const step = 0.05; // µm per axis per frame (standard deviation)
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pos = Float64Array.from({ length: particles * 3 }, (_, k) => random() * box[k % 3]!);
  const spots: Spot[] = [];
  const truth: number[] = [];
  for (let t = 0; t < frames; t++) {
    for (let p = 0; p < particles; p++) {
      for (let a = 0; a < 3; a++) {
        let v = pos[p * 3 + a]! + step * gauss();
        if (v < 0) v = -v;
        if (v > box[a]!) v = 2 * box[a]! - v;
        pos[p * 3 + a] = v;
      }
      if (random() < 0.02) continue;
      spots.push({ id: spots.length, frame: t, x: pos[p * 3]!, y: pos[p * 3 + 1]!, z: pos[p * 3 + 2]!, quality: 1, intensity: 1, radius: 0.2 });
      truth.push(p);
    }
  }
  return { spots, truth: Int32Array.from(truth), step };
}

/** Times trackSpots on {@link brownianSpots}: the median of `repeats` runs. */
export function benchTracker(spotsPerFrame: number, frames = 100, repeats = 3): TrackerBenchResult {
  const { spots, truth, step } = brownianSpots(spotsPerFrame, frames);
  // A typical 3-D step is √3·σ; gate at four of them.
  const options = { maxLinkingDistance: 4 * Math.sqrt(3) * step };
  const times: number[] = [];
  let tracks = trackSpots(spots, options);
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    tracks = trackSpots(spots, options);
    times.push(performance.now() - start);
  }
  let edges = 0;
  let correct = 0;
  for (const track of tracks)
    for (const e of track.edges) {
      edges++;
      if (truth[e.source] === truth[e.target]) correct++;
    }
  times.sort((a, b) => a - b);
  return { spotsPerFrame, frames, repeats, medianMs: times[Math.floor(times.length / 2)]!, tracks: tracks.length, correctLinks: correct / edges };
}

function print(r: TrackerBenchResult): void {
  const label = `${r.frames} frames × ${r.spotsPerFrame.toLocaleString('en')} spots`;
  console.log(
    `${label.padEnd(28)} ${(r.medianMs / 1000).toFixed(2)} s (${r.repeats === 1 ? 'once' : `median of ${r.repeats}`}), ${r.tracks} tracks, ${(100 * r.correctLinks).toFixed(2)} % links correct`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { frames: { type: 'string', default: '100' }, repeats: { type: 'string', default: '3' }, large: { type: 'string', default: '10000' } },
  });
  const frames = Number(values.frames);
  print(benchTracker(1000, frames, Number(values.repeats)));
  if (Number(values.large) > 0) print(benchTracker(Number(values.large), frames, 1));
}

import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataItem, ExperimentStore } from '@bioimageit/core';
import { evaluateTracking, parseTracksCsv } from '@bioimageit/tracking';
import { LLSM_PIPELINE_FILE } from '../bundled-tools.js';
import type { CliContext } from '../context.js';
import type { RunCli } from '../run-cli-options.js';
import { prepareDemoFolder } from './demo-folder.js';
import { runDemoSteps, shellQuote } from './demo-steps.js';
import { generateLlsmSeries, type LlsmSeriesOptions } from './synthetic-llsm.js';
import { LLSM_TAG_REGEX, writeLlsmSeries, type WrittenLlsmSeries } from './write-llsm-series.js';

/** Settings of `bioimageit demo llsm`. */
export interface LlsmDemoOptions {
  /** Absolute path of the workspace to (re)create. */
  readonly dir: string;
  readonly jobs: number;
  /** Cells (time series) to generate, each its own group (default 2). */
  readonly cells?: number;
  /** Time points per cell (default 10). */
  readonly frames?: number;
  /** Signal-to-noise ratio of the generated data (ISBI 2012 definition, default 4). */
  readonly snr?: number;
}

/** Name of the experiment the LLSM demo makes. */
export const LLSM_DEMO_EXPERIMENT = 'LLSM showcase';

/** The plugins the showcase needs besides those `init` enables. */
const LLSM_PLUGINS = ['@bioimageit/gpu-decon', '@bioimageit/tracking'];

/** Generated data of the demo: raw stacks of 40 planes of 128×128 (a deskewed 40×128×259), 24 vesicles per cell. */
const DEMO_SERIES: LlsmSeriesOptions = { shape: [40, 128, 128], particles: 24 };

/**
 * `bioimageit demo llsm`: the lattice light-sheet showcase end to end on generated data. (Re)creates
 * a workspace in `options.dir` with the gpu-decon and tracking plugins, writes per cell a time
 * series of raw stage-scanned stacks of moving vesicles (Brownian and directed, blurred by a known
 * PSF, Poisson and Gaussian noise) with its PSF and ground truth, imports them tagged Kind, Cell
 * and T, runs `llsm-pipeline.json` (deskew → deconvolve with the PSF broadcast → detect spots →
 * track per cell in T order → render tracks over projections), encodes an MP4 when ffmpeg is on
 * PATH, exports an RO-Crate, scores the tracks against the ground truth and prints where to look.
 * Every step is a `bioimageit` command run by `runCli`, printed before it runs.
 */
export async function runLlsmDemo(ctx: CliContext, options: LlsmDemoOptions, runCli: RunCli): Promise<void> {
  const { dir } = options;
  const out = (text: string): void => ctx.output.out(text);
  await runDemoSteps(ctx, dir, runCli, async (step) => {
    const prepared = await prepareDemoFolder(dir);
    out(`${prepared === 'replaced' ? 'recreated' : 'created'} demo workspace ${dir}; the commands below run in that folder`);
    const cells = options.cells ?? 2;
    const written: WrittenLlsmSeries[] = [];
    for (let cell = 1; cell <= cells; cell++) {
      const series = generateLlsmSeries({ ...DEMO_SERIES, frames: options.frames ?? 10, snr: options.snr ?? 4, seed: 2012 + cell });
      written.push(await writeLlsmSeries(join(dir, 'incoming'), series, { cell }));
    }
    const [nz, ny, nx] = DEMO_SERIES.shape ?? [0, 0, 0];
    out(
      `wrote ${cells} cell(s) × ${options.frames ?? 10} raw lattice light-sheet stacks (uint16, ${nz}×${ny}×${nx}, stage step 0.4 µm, 0.104 µm pixels, 31.5°; ${DEMO_SERIES.particles} moving vesicles, SNR ${options.snr ?? 4}) under incoming/, with each cell's PSF and ground-truth tracks`,
    );
    await step(['init', '.', '--user', 'demo', ...LLSM_PLUGINS.flatMap((p) => ['--plugin', p])]);
    if (!(await showcaseToolsReady(ctx, dir))) return;
    await step(['experiment', 'create', LLSM_DEMO_EXPERIMENT, '--keys', 'Kind,Cell,T']);
    await step(['import', 'incoming', '-e', LLSM_DEMO_EXPERIMENT, '-r', '--glob', 'cell*/*.ome.tif', '--tag-regex', LLSM_TAG_REGEX, '--tag', 'Kind=stack']);
    await step(['import', 'incoming', '-e', LLSM_DEMO_EXPERIMENT, '--glob', 'cell1_psf.ome.tif', '--tag', 'Kind=psf']);
    await mkdir(join(dir, 'pipelines'), { recursive: true });
    await copyFile(LLSM_PIPELINE_FILE, join(dir, 'pipelines', 'llsm-pipeline.json'));
    out(
      '\n(pipelines/llsm-pipeline.json: deskew → deconvolve (one PSF for every stack) → detect spots → track per Cell in T order → render; the GUI lists it too)',
    );
    await step(['pipeline', 'run', 'pipelines/llsm-pipeline.json', '-e', LLSM_DEMO_EXPERIMENT, '--jobs', String(options.jobs)]);
    const ffmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
    if (ffmpeg)
      await step(['run', 'tracking.encode-mp4', '-e', LLSM_DEMO_EXPERIMENT, '-i', 'movie=renderings', '--origin-output', 'movie=movie', '-o', 'movies']);
    else out('\n(ffmpeg is not on PATH: no MP4 of the renderings; Debian: apt-get install ffmpeg, or npm run setup:system -- ffmpeg)');
    await step(['provenance', 'export', '-e', LLSM_DEMO_EXPERIMENT, '--ro-crate', 'ro-crate', '--check']);
    const kernel = await ctx.getKernel({ workspace: dir }, true);
    const store = await kernel.openExperiment(LLSM_DEMO_EXPERIMENT);
    out('');
    await printLlsmReport(ctx, dir, store, written);
  });
}

/** True when the workspace can run the showcase's tools; otherwise says what is missing and sets exit code 1. */
async function showcaseToolsReady(ctx: CliContext, dir: string): Promise<boolean> {
  const kernel = await ctx.getKernel({ workspace: dir }, true);
  for (const tool of ['gpu-decon.deskew', 'tracking.track']) {
    try {
      await kernel.tools().getTool(tool);
    } catch (error) {
      ctx.output.err(
        `error: the LLSM demo needs tool '${tool}', which this installation cannot offer: ${(error as Error).message}\n` +
          `  gpu-decon's native addon needs FFTW and a C++ compiler: npm run setup:system -- fftw && npm run build (Debian: apt-get install libfftw3-dev g++ make)`,
      );
      ctx.exitCode = 1;
      return false;
    }
  }
  return true;
}

const pathOf = (item: DataItem): string => (item.dataUri.startsWith('file:') ? fileURLToPath(item.dataUri) : item.dataUri);

/** Prints the showcase's results: per cell its tracks, TrackMate XML, renderings and the scores against the ground truth. */
async function printLlsmReport(ctx: CliContext, dir: string, store: ExperimentStore, written: readonly WrittenLlsmSeries[]): Promise<void> {
  const out = (text: string): void => ctx.output.out(text);
  const rel = (item: DataItem | undefined): string => (item === undefined ? '(none)' : relative(dir, pathOf(item)));
  const byOutput = (items: readonly DataItem[], name: string) => items.filter((i) => i.origin.type === 'processed' && i.origin.output.name === name);
  const tracks = await store.items('tracks');
  const renderings = await store.items('renderings');
  const movies = (await store.listDatasets()).some((d) => d.name === 'movies') ? await store.items('movies') : [];
  out(`LLSM showcase finished (experiment '${LLSM_DEMO_EXPERIMENT}' in ${relative(dir, fileURLToPath(store.uri)) || '.'}). Per cell:`);
  for (const [k, series] of written.entries()) {
    const cell = String(k + 1);
    const mine = (items: readonly DataItem[]) => items.filter((i) => Number(i.tags['Cell']) === k + 1);
    const table = byOutput(mine(tracks), 'tracks')[0];
    out(`  cell ${cell}`);
    out(`    tracks table   ${rel(table)}`);
    out(`    TrackMate XML  ${rel(byOutput(mine(tracks), 'trackmate')[0])}   (Fiji: Plugins > Tracking > Load a TrackMate file)`);
    out(`    projections    ${rel(byOutput(mine(renderings), 'mips')[0])}   (TYX OME-TIFF: the GUI shows it with its time slider and the tracks)`);
    out(`    animation      ${rel(byOutput(mine(renderings), 'movie')[0])}   (animated PNG: open it in a browser)`);
    if (movies.length > 0) out(`    MP4            ${rel(mine(movies)[0])}`);
    if (table === undefined) continue;
    const estimate = parseTracksCsv(await readFile(pathOf(table), 'utf8'));
    const truth = parseTracksCsv(await readFile(join(dir, 'incoming', series.truth), 'utf8'));
    const gate = 5 * 0.104;
    const s = evaluateTracking(truth, estimate, { gate });
    out(
      `    vs the truth   ${truth.tracks.length} true tracks, ${estimate.tracks.length} found; Jaccard points ${s.jaccardPoints.toFixed(3)}, links ${s.jaccardLinks.toFixed(3)}, tracks ${s.jaccardTracks.toFixed(3)}; RMSE ${(s.rmse * 1000).toFixed(0)} nm (gate ${gate.toFixed(2)} µm, ISBI 2012 measures)`,
    );
  }
  out(
    `  provenance     ${join('ro-crate', 'ro-crate-metadata.json')} (every track file links back to its raw stacks and the PSF: bioimageit provenance show ITEM)`,
  );
  out(`  GUI            bioimageit serve --workspace ${shellQuote(dir)}   (Tools tab: run the pipeline; open a *_mips item for the tracks)`);
}

import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoCrate, createKernel, lineage, PluginError, type DataItem, type ExperimentStore, type Kernel, type RoCrateDocument } from '@bioimageit/core';
import { skipWithout } from '@bioimageit/core/testing';
import { loadNativeAddon } from '@bioimageit/gpu-decon';
import { startServer, type RunningServer } from '@bioimageit/server';
import { evaluateTracking, parseTrackMateXml, parseTracksCsv, type TrackingResult } from '@bioimageit/tracking';
import { cli, tempDir, type CliRun } from './cli-harness.js';

/** The gpu-decon addon loads (FFTW present when it was built), or the suite skips naming the part. */
function fftwMissing(): boolean {
  try {
    loadNativeAddon();
    return false;
  } catch (error) {
    if (!(error instanceof PluginError)) throw error;
    return skipWithout('fftw', error.message.replace(/\. Fix: [\s\S]*$/, ''), import.meta.url);
  }
}
const noFftw = fftwMissing();
const ffmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
const noFfmpeg = ffmpeg ? false : skipWithout('ffmpeg', 'no ffmpeg on PATH', import.meta.url);

const FRAMES = 5;
const EXPERIMENT = 'LLSM showcase';

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let demo: CliRun;
let kernel: Kernel;
let store: ExperimentStore;

const pathOf = (store: ExperimentStore, item: DataItem) => store.localize(item);
const outputOf = (item: DataItem) => (item.origin.type === 'processed' ? item.origin.output.name : '');

/**
 * The lattice light-sheet showcase end to end through the built CLI: `bioimageit demo llsm` on 2
 * generated cells × 5 time points (deskew → deconvolve with the PSF broadcast → detect → track per
 * cell in T order → render → MP4), then what a user checks: tracks close to the ground truth,
 * TrackMate XML holding the same tracks as the CSV, provenance from each track file back to the raw
 * stacks and the PSF, an RO-Crate with the whole chain, and the pipeline run again from the REST
 * API the GUI uses.
 */
describe.skipIf(noFftw)('bioimageit demo llsm (the showcase, built CLI)', () => {
  beforeAll(async () => {
    dir = await tempDir('biit-llsm-');
    ws = join(dir.path, 'ws');
    demo = await cli(dir.path, ['demo', 'llsm', 'ws', '--cells', '2', '--frames', String(FRAMES), '--jobs', '2']);
    kernel = await createKernel({ workspace: ws, env: {} });
    store = await kernel.openExperiment(EXPERIMENT);
  }, 600_000);
  afterAll(async () => {
    await kernel?.dispose();
    await dir?.cleanup();
  });

  it('runs every step, prints where to look and scores the tracks against the ground truth', () => {
    expect(demo.code, demo.stderr).toBe(0);
    for (const step of [
      '$ bioimageit init . --user demo --plugin @bioimageit/gpu-decon --plugin @bioimageit/tracking',
      '$ bioimageit pipeline run pipelines/llsm-pipeline.json',
    ])
      expect(demo.stdout).toContain(step);
    expect(demo.stdout).toMatch(/pipeline llsm-showcase succeeded: 5 step\(s\), 34 job\(s\), 0 from cache/);
    expect(demo.stdout).toMatch(/TrackMate XML {2}LLSMshowcase\/tracks\/1_trackmate\.xml/);
    expect(demo.stdout).toMatch(/vs the truth {3}24 true tracks, \d+ found; Jaccard points (0\.9\d\d|1\.000)/);
  });

  it('broadcasts the one PSF to every deconvolution job, keeping each output the tags of its stack', async () => {
    const [run] = await store.listRuns('deconvolved');
    expect(run?.jobs).toHaveLength(2 * FRAMES);
    expect(run?.inputs.find((i) => i.name === 'psf')?.broadcast).toBe(true);
    const [psf] = await store.items('data').then((items) => items.filter((i) => i.tags['Kind'] === 'psf'));
    expect(new Set(run?.jobs.map((j) => j.inputs['psf']?.[0]))).toEqual(new Set([psf?.id]));
    const deconvolved = await store.items('deconvolved');
    expect(deconvolved.map((i) => `${i.tags['Cell']}/${i.tags['T']}`).sort()).toEqual(
      ['1', '2'].flatMap((c) => Array.from({ length: FRAMES }, (_, t) => `${c}/${String(t).padStart(3, '0')}`)).sort(),
    );
  });

  it('tracks each cell over its time points in order, close to the ground truth, and writes TrackMate XML with the same tracks', async () => {
    const [run] = await store.listRuns('tracks');
    expect(run).toMatchObject({ groupBy: ['Cell'], orderBy: ['T'] });
    const tracks = await store.items('tracks');
    for (const cell of ['1', '2']) {
      const mine = tracks.filter((i) => i.tags['Cell'] === cell);
      expect(mine.map(outputOf).sort()).toEqual(['trackmate', 'tracks']);
      const table = mine.find((i) => outputOf(i) === 'tracks') as DataItem;
      const xml = mine.find((i) => outputOf(i) === 'trackmate') as DataItem;
      const fromCsv = parseTracksCsv(await readFile(await pathOf(store, table), 'utf8'));
      const fromXml = parseTrackMateXml(await readFile(await pathOf(store, xml), 'utf8'));
      const spotsOf = (r: TrackingResult) =>
        r.tracks
          .map((t) =>
            t.spotIds
              .map((id) => r.spots.find((s) => s.id === id))
              .map((s) => `${s?.frame}:${s?.x.toFixed(6)}`)
              .join(' '),
          )
          .sort();
      expect(spotsOf(fromXml)).toEqual(spotsOf(fromCsv));
      expect(fromXml.image).toMatchObject({ nframes: FRAMES, nslices: 40, height: 128 });
      // the job's list file held the stacks in T order: frame k of the tracks is T=k
      const job = run?.jobs.find((j) => j.outputs.includes(table.id));
      const stacks = await Promise.all((job?.inputs['stacks'] ?? []).map((id) => store.getItem(id)));
      expect(stacks.map((s) => s.tags['T'])).toEqual(Array.from({ length: FRAMES }, (_, t) => String(t).padStart(3, '0')));
      const truth = parseTracksCsv(await readFile(join(ws, 'incoming', `cell${cell}_truth_tracks.csv`), 'utf8'));
      const scores = evaluateTracking(truth, fromCsv, { gate: 5 * 0.104 });
      expect(scores.jaccardPoints).toBeGreaterThan(0.85);
      expect(scores.rmse).toBeLessThan(0.1);
    }
  });

  it('links every track file back to the raw stacks and the PSF', async () => {
    const [table] = (await store.items('tracks')).filter((i) => outputOf(i) === 'tracks' && i.tags['Cell'] === '1');
    const graph = await lineage(store, (table as DataItem).id);
    const items = await Promise.all(graph.nodes.filter((n) => n.kind === 'item').map((n) => store.getItem(n.id.slice('item:'.length))));
    const raw = items.filter((i) => i.dataset === 'data');
    expect(raw.filter((i) => i.tags['Kind'] === 'stack' && i.tags['Cell'] === '1')).toHaveLength(FRAMES);
    expect(raw.filter((i) => i.tags['Kind'] === 'psf')).toHaveLength(1);
    expect(new Set(items.map((i) => i.dataset))).toEqual(new Set(['data', 'deskewed', 'deconvolved', 'spots', 'tracks']));
  });

  it('exports an RO-Crate holding the whole chain, which passes its checks', async () => {
    const crateDir = join(ws, 'ro-crate');
    const crate = JSON.parse(await readFile(join(crateDir, 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
    const problems = await checkRoCrate(crate, crateDir);
    expect(problems).toEqual([]);
    const text = JSON.stringify(crate);
    for (const tool of ['gpu-decon.deskew', 'gpu-decon.deconvolve', 'tracking.detect-spots', 'tracking.track', 'tracking.render-tracks'])
      expect(text).toContain(tool);
    expect(text).toContain('cell1_psf.ome.tif');
    expect(text).toMatch(/1_trackmate\.xml/);
  });

  it.skipIf(noFfmpeg)('encodes each rendering as an MP4 that ffprobe reads with one frame per time point', async () => {
    const movies = await store.items('movies');
    expect(movies).toHaveLength(2);
    const probe = spawnSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,nb_read_frames',
        '-of',
        'csv=p=0',
        await pathOf(store, movies[0] as DataItem),
      ],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe(`h264,${FRAMES}`);
  });

  it('runs the showcase pipeline again from the REST API the GUI uses', async () => {
    let server: RunningServer | undefined;
    try {
      server = await startServer({ kernel, port: 0, log: () => undefined });
      const url = (path: string) => new URL(path, server?.url).href;
      const get = async (path: string) => (await fetch(url(path))).json() as Promise<unknown>;
      const experiments = (await get('/api/experiments')) as { id: string; name: string }[];
      const id = experiments.find((e) => e.name === EXPERIMENT)?.id as string;
      const listed = (await get('/api/pipelines')) as { name: string }[];
      expect(listed.map((p) => p.name)).toContain('llsm-showcase');
      const started = await fetch(url(`/api/experiments/${id}/pipelines/runs`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pipeline: 'llsm-showcase' }),
      });
      expect(started.status).toBe(202);
      const { id: runId } = (await started.json()) as { id: string };
      let status: { status: string; steps: { name: string; status: string }[] } = { status: 'running', steps: [] };
      for (let i = 0; i < 600 && status.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = (await get(`/api/experiments/${id}/pipelines/runs/${runId}`)) as typeof status;
      }
      expect(status.status, JSON.stringify(status)).toBe('succeeded');
      expect(status.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    } finally {
      await server?.close();
    }
  });
});

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { RunCli } from '../run-cli-options.js';
import { UsageError } from '../usage-error.js';
import { parseJobs } from './run-report.js';

/**
 * `bioimageit demo [DIR] [--jobs N] [--images N]`: the main job on the embedded defaults. (Re)creates a demo
 * workspace in DIR (default `./demo-workspace`; a folder that is not a previous demo workspace is
 * never deleted), writes a synthetic plate of blob images, imports and tags it, runs the bundled
 * pipeline blur → threshold → count objects → summary per well, exports an RO-Crate and prints
 * where the results, run logs, summary tables, RO-Crate and thumbnails are. Each step runs
 * through `runCli` (program.ts passes its own: importing it here would be an import cycle).
 */
export function registerDemoCommand(program: Command, ctx: CliContext, runCli: RunCli): void {
  const demo = program
    .command('demo')
    .description(
      'make a demo workspace: synthetic plate → import and tag → pipeline of bundled tools (blur, threshold, count objects, summary per well) → RO-Crate',
    )
    .argument('[dir]', 'workspace folder to (re)create', 'demo-workspace')
    .option('-j, --jobs <n>', 'jobs run at once in each pipeline step (default: up to 4, by CPU count)')
    .option('--images <n>', 'images per population in each of the 4 wells (default 5: 40 images)')
    .action(async (dir: string, flags: { jobs?: string; images?: string }) => {
      const jobs = parseJobs(flags.jobs) ?? Math.max(1, Math.min(4, availableParallelism()));
      const images = flags.images === undefined ? 5 : Number(flags.images);
      if (!Number.isInteger(images) || images < 1 || images > 99) throw new UsageError(`--images must be an integer from 1 to 99, got '${flags.images}'`);
      const { runDemo } = await import('../demo/run-demo.js');
      await runDemo(ctx, { dir: resolve(ctx.cwd, dir), jobs, imagesPerPopulation: images }, runCli);
    });
  demo
    .command('llsm')
    .description(
      'the lattice light-sheet showcase: generated time series of moving vesicles → deskew → deconvolve (one PSF) → detect → track → render tracks, scored against the ground truth (needs the gpu-decon addon: FFTW)',
    )
    .argument('[dir]', 'workspace folder to (re)create', 'llsm-demo-workspace')
    .option('-j, --jobs <n>', 'jobs run at once in each pipeline step (default: up to 4, by CPU count)')
    .option('--cells <n>', 'cells, each a time series tracked on its own (default 2)')
    .option('--frames <n>', 'time points per cell (default 10)')
    .option('--snr <x>', 'signal-to-noise ratio of the vesicles, ISBI 2012 definition (default 4)')
    .action(async (dir: string, flags: { jobs?: string; cells?: string; frames?: string; snr?: string }) => {
      const jobs = parseJobs(flags.jobs) ?? Math.max(1, Math.min(4, availableParallelism()));
      const whole = (text: string | undefined, name: string, fallback: number, max: number): number => {
        const value = text === undefined ? fallback : Number(text);
        if (!Number.isInteger(value) || value < 1 || value > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}, got '${text}'`);
        return value;
      };
      const snr = flags.snr === undefined ? 4 : Number(flags.snr);
      if (!Number.isFinite(snr) || snr <= 0 || snr > 100) throw new UsageError(`--snr must be a number above 0 and at most 100, got '${flags.snr}'`);
      const { runLlsmDemo } = await import('../demo/run-llsm-demo.js');
      await runLlsmDemo(
        ctx,
        { dir: resolve(ctx.cwd, dir), jobs, cells: whole(flags.cells, 'cells', 2, 20), frames: whole(flags.frames, 'frames', 10, 500), snr },
        runCli,
      );
    });
}

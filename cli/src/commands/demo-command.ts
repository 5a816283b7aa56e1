import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runDemo } from '../demo/run-demo.js';
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
  program
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
      await runDemo(ctx, { dir: resolve(ctx.cwd, dir), jobs, imagesPerPopulation: images }, runCli);
    });
}

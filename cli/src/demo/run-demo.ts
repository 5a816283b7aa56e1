import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliContext } from '../context.js';
import type { RunCli } from '../run-cli-options.js';
import { DEMO_PIPELINE_FILE } from '../bundled-tools.js';
import { prepareDemoFolder } from './demo-folder.js';
import { printDemoReport } from './demo-report.js';
import { writeSyntheticPlate } from './synthetic-plate.js';
import { runDemoSteps } from './demo-steps.js';

/** Settings of one demo run. */
export interface DemoOptions {
  /** Absolute path of the workspace to (re)create. */
  readonly dir: string;
  /** Jobs run at once in each pipeline step. */
  readonly jobs: number;
  /** Images per population in each well (5 by default: 40 images). */
  readonly imagesPerPopulation?: number;
}

/** Name of the experiment the demo makes. */
export const DEMO_EXPERIMENT = 'Demo plate';

/**
 * `bioimageit demo`: (re)creates a workspace in `options.dir`, writes a synthetic plate of blob
 * images, makes it a workspace (init lists the bundled tools in its config), imports the plate with tags from file and
 * folder names, tags wells by hand, queries, runs the demo pipeline (blur → threshold → count
 * objects → summary per well), exports an RO-Crate, then prints where everything is. Each step is
 * a `bioimageit` command run by `runCli` (program.ts's, passed in: importing it would be an
 * import cycle), printed before it runs (in the workspace folder). A failing step stops the demo
 * with its exit code.
 */
export async function runDemo(ctx: CliContext, options: DemoOptions, runCli: RunCli): Promise<void> {
  const { dir } = options;
  const out = (text: string) => ctx.output.out(text);
  await runDemoSteps(ctx, dir, runCli, async (step) => {
    const prepared = await prepareDemoFolder(dir);
    out(`${prepared === 'replaced' ? 'recreated' : 'created'} demo workspace ${dir}; the commands below run in that folder`);
    const images = await writeSyntheticPlate(join(dir, 'incoming'), {
      ...(options.imagesPerPopulation !== undefined && { imagesPerPopulation: options.imagesPerPopulation }),
    });
    out(
      `wrote ${images.length} synthetic OME-TIFF stacks (uint16, 6×48×48, 2 to 8 bright blobs on noise each) under incoming/; the true blob counts are in incoming/expected-counts.csv`,
    );
    await step(['init', '.', '--user', 'demo']);
    await step(['tools', 'list']);
    await step(['experiment', 'create', DEMO_EXPERIMENT, '--keys', 'Population,number']);
    await step([
      'import',
      'incoming',
      '-e',
      DEMO_EXPERIMENT,
      '-r',
      '--glob',
      '**/*.tif',
      '--tag-regex',
      '(?<Population>population\\d)_(?<number>\\d+)',
      '--folder-keys',
      'Plate,Well',
    ]);
    await step(['tag', 'set', '-e', DEMO_EXPERIMENT, '--where', 'Well in (A01, A02)', 'Treatment=control']);
    await step(['tag', 'set', '-e', DEMO_EXPERIMENT, '--where', "Well ~ '^B'", 'Treatment=drug']);
    await step(['query', '-e', DEMO_EXPERIMENT, '--where', 'Population=population1 AND number>3']);
    await step(['query', '-e', DEMO_EXPERIMENT, '--where', "(Well ~ '^B' OR Treatment=control) AND NOT number in (001, 005)", '--count']);
    await copyFile(DEMO_PIPELINE_FILE, join(dir, 'demo-pipeline.json'));
    out('\n(demo-pipeline.json: blur → threshold (Otsu) → count objects → summarize, grouped by Well; edit it and run it again: only changed steps do work)');
    await step(['pipeline', 'run', 'demo-pipeline.json', '-e', DEMO_EXPERIMENT, '--jobs', String(options.jobs)]);
    await step(['provenance', 'export', '-e', DEMO_EXPERIMENT, '--ro-crate', 'ro-crate', '--prov', 'provenance.json', '--check']);
    const kernel = await ctx.getKernel({ workspace: dir }, true);
    const store = await kernel.openExperiment(DEMO_EXPERIMENT);
    out('');
    await printDemoReport(ctx.output, { dir, store, images, crateDir: join(dir, 'ro-crate'), provFile: join(dir, 'provenance.json') });
  });
}

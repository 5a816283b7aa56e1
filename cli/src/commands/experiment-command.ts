import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';
import { UsageError } from '../usage-error.js';
import { registerExperimentCheckCommand } from './experiment-check-command.js';
import { experimentHeading, experimentRow } from './experiment-text.js';

/** `bioimageit experiment create|list|show|delete|check`. */
export function registerExperimentCommand(program: Command, ctx: CliContext): void {
  const experiment = program.command('experiment').alias('exp').description('create, list, show, check and delete experiments');

  experiment
    .command('create')
    .description('create an empty experiment in the workspace')
    .argument('<name>', 'experiment name')
    .option('--author <name>', 'author (default: the configured user)')
    .option('--keys <keys>', 'comma-separated tag keys', '')
    .option('--location <dir|uri>', 'where to create it (default: the workspace experiments location)')
    .action(async (name: string, opts: { author?: string; keys: string; location?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const kernel = await ctx.getKernel(g, opts.location === undefined);
      const keys = opts.keys
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      const store = await kernel.createExperiment(
        { name, author: opts.author ?? kernel.config.user.name, keys },
        opts.location ?? kernel.experimentsLocation(),
      );
      const info = await store.info();
      if (g.json) printJson(ctx.output, info);
      else ctx.output.out(`created experiment '${info.name}' at ${info.uri}`);
    });

  experiment
    .command('list')
    .description('list the experiments of the workspace')
    .option('--location <dir|uri>', 'list another location')
    .action(async (opts: { location?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const kernel = await ctx.getKernel(g, opts.location === undefined);
      const list = await kernel.listExperiments(opts.location ?? kernel.experimentsLocation());
      if (g.json) return printJson(ctx.output, list);
      if (list.length === 0) return ctx.output.out(`no experiments in ${opts.location ?? kernel.experimentsLocation()}`);
      printTable(ctx.output, ['NAME', 'AUTHOR', 'DATE', 'KEYS', 'URI'], list.map(experimentRow));
    });

  experiment
    .command('show')
    .description('show an experiment: datasets, item counts, tag keys')
    .argument('[experiment]', 'name, path or URI (default: the experiment folder you are in)')
    .action(async (ref: string | undefined, _opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(ref !== undefined && { experiment: ref }) });
      const info = await store.info();
      if (g.json) return printJson(ctx.output, info);
      ctx.output.out(experimentHeading(info));
      printTable(
        ctx.output,
        ['DATASET', 'KIND', 'ITEMS'],
        info.datasets.map((d) => [d.name, d.kind, String(d.itemCount)]),
      );
    });

  experiment
    .command('delete')
    .description('delete an experiment and the files it holds (referenced source files are kept)')
    .argument('<experiment>', 'name, path or URI')
    .option('--yes', 'confirm the deletion')
    .action(async (ref: string, opts: { yes?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (!opts.yes) throw new UsageError(`refusing to delete '${ref}' without --yes`);
      const kernel = await ctx.getKernel(g);
      await kernel.deleteExperiment(ref);
      ctx.output.out(`deleted experiment '${ref}'`);
    });

  registerExperimentCheckCommand(experiment, ctx);
}

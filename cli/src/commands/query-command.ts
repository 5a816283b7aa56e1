import type { DataItem } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/**
 * `bioimageit query -e EXP --where QUERY`: items of a dataset selected by the query language
 * (v1 queries keep working). Prints a table with one column per tag key, `--json`, or `--count`.
 */
export function registerQueryCommand(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .description("select items, e.g. --where 'Population=population1 AND number>2'")
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option('-w, --where <query>', 'query (empty: all items)', '')
    .option('-d, --dataset <name>', 'dataset to query', 'data')
    .option('--count', 'print only the number of hits')
    .action(async (flags: { experiment?: string; where: string; dataset: string; count?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const hits = await kernel.query(store, flags.where, flags.dataset);
      if (flags.count) return g.json ? printJson(ctx.output, { count: hits.length }) : ctx.output.out(String(hits.length));
      if (g.json) return printJson(ctx.output, hits);
      const keys = (await store.info()).keys;
      printTable(
        ctx.output,
        ['NAME', ...keys, 'FORMAT', 'ID'],
        hits.map((item: DataItem) => [item.name, ...keys.map((k) => item.tags[k] ?? ''), item.format, item.id]),
      );
      ctx.output.err(`${hits.length} item(s)`);
    });
}

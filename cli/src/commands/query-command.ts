import { missingDataIds, type DataItem } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';
import { UsageError } from '../usage-error.js';

/** A commander parser for a whole number option (`allowZero`: 0 too). */
function positiveInteger(option: string, allowZero = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new UsageError(`${option} takes a whole number${allowZero ? '' : ' above 0'}, not '${value}'`);
    return n;
  };
}

/**
 * `bioimageit query -e EXP --where QUERY`: items of a dataset selected by the query language
 * (v1 queries keep working). Prints a table with one column per tag key, `--json`, or `--count`.
 * Hits whose data file is missing are marked (a DATA column, `missing: true` in `--json`).
 */
export function registerQueryCommand(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .description("select items, e.g. --where 'Population=population1 AND number>2'")
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option('-w, --where <query>', 'query (empty: all items)', '')
    .option('-d, --dataset <name>', 'dataset to query', 'data')
    .option('--count', 'print only the number of hits')
    .option('--limit <n>', 'print at most N hits (a page)', positiveInteger('--limit'))
    .option('--offset <n>', 'skip the first N hits (with --limit: the next page)', positiveInteger('--offset', true))
    .action(async (flags: { experiment?: string; where: string; dataset: string; count?: boolean; limit?: number; offset?: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const page = flags.count
        ? { limit: 0 }
        : { ...(flags.limit !== undefined && { limit: flags.limit }), ...(flags.offset !== undefined && { offset: flags.offset }) };
      const { total, items: hits } = await kernel.select(store, flags.where, flags.dataset, page);
      if (flags.count) return g.json ? printJson(ctx.output, { count: total }) : ctx.output.out(String(total));
      // One stat per printed hit: items whose data file is gone are marked, not shown as normal.
      const missing = await missingDataIds(hits, 64);
      if (g.json) return printJson(ctx.output, missing.size === 0 ? hits : hits.map((item) => (missing.has(item.id) ? { ...item, missing: true } : item)));
      const keys = (await store.info()).keys;
      printTable(
        ctx.output,
        ['NAME', ...keys, 'FORMAT', ...(missing.size > 0 ? ['DATA'] : []), 'ID'],
        hits.map((item: DataItem) => [
          item.name,
          ...keys.map((k) => item.tags[k] ?? ''),
          item.format,
          ...(missing.size > 0 ? [missing.has(item.id) ? 'MISSING' : 'ok'] : []),
          item.id,
        ]),
      );
      const first = Math.min(flags.offset ?? 0, total);
      ctx.output.err(hits.length === total ? `${total} item(s)` : `items ${hits.length === 0 ? first : first + 1}-${first + hits.length} of ${total}`);
      if (missing.size > 0) ctx.output.err(`${missing.size} of them with their data file missing (see 'bioimageit experiment check')`);
    });
}

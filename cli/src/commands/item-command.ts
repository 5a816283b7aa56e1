import { StorageError, type DataItem, type ExperimentStore } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { UsageError } from '../usage-error.js';
import { itemDetails } from './item-details.js';

/**
 * `bioimageit item show ID|NAME -e EXP [-d DATASET]`: one item with its tags, origin and format
 * metadata (axes, shape, dtype, physical sizes, time increment, channels), or `--json`.
 */
export function registerItemCommand(program: Command, ctx: CliContext): void {
  const item = program.command('item').description('show one item');
  item
    .command('show')
    .description('show one item: tags, origin, image metadata and channels')
    .argument('<item>', 'item id, or its name (exact)')
    .option('-e, --experiment <ref>', 'experiment name, path or URI (default: the experiment folder you are in)')
    .option('-d, --dataset <name>', 'look only in this dataset (default: all datasets)')
    .action(async (ref: string, flags: { experiment?: string; dataset?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const found = await findItem(store, ref, flags.dataset);
      if (g.json) printJson(ctx.output, found);
      else ctx.output.out(itemDetails(found));
    });
}

/**
 * The item whose id is `ref`, else the one named `ref`, in `dataset` or in every dataset.
 * Throws StorageError `NOT_FOUND` when none matches, UsageError when several items bear the name.
 */
export async function findItem(store: ExperimentStore, ref: string, dataset: string | undefined): Promise<DataItem> {
  const names = dataset === undefined ? (await store.listDatasets()).map((d) => d.name) : [dataset];
  const named: DataItem[] = [];
  for (const name of names) {
    for (const candidate of await store.items(name)) {
      if (candidate.id === ref) return candidate;
      if (candidate.name === ref) named.push(candidate);
    }
  }
  if (named.length === 1) return named[0]!;
  const where = dataset === undefined ? 'any dataset' : `dataset '${dataset}'`;
  if (named.length === 0) {
    const experiment = (await store.info()).name;
    throw new StorageError('NOT_FOUND', `no item with id or name '${ref}' in ${where} of experiment '${experiment}'`, { details: { item: ref } });
  }
  const which = named.map((i) => `${i.id} (${i.dataset})`).join(', ');
  throw new UsageError(`${named.length} items are named '${ref}' in ${where}: give one of their ids: ${which}`);
}

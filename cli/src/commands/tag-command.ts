import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TagResult, TagRule, TagTarget } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { parseAssignments, UsageError } from '../usage-error.js';

interface TargetFlags {
  experiment?: string;
  where?: string;
  dataset?: string;
}

/** Adds `-e`, `--where`, `--dataset` to a tag sub-command. */
function targeted(cmd: Command): Command {
  return cmd
    .option('-e, --experiment <ref>', 'experiment name, path or URI')
    .option('-w, --where <query>', 'only items matching this query')
    .option('-d, --dataset <name>', 'dataset to tag', 'data');
}

/**
 * `bioimageit tag regex|separator|words|set|remove|keys|export|import`: tagging from names (regex
 * with named groups, v1's separator and word-list helpers), by hand, and from/to CSV. Each edit is
 * applied to all selected items atomically.
 */
export function registerTagCommand(program: Command, ctx: CliContext): void {
  const tag = program.command('tag').description('tag items: from names, by hand, from/to CSV');
  const run = async (flags: TargetFlags, cmd: Command, rule: TagRule) => {
    const g = cmd.optsWithGlobals<GlobalOptions>();
    const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
    const kernel = await ctx.getKernel(g);
    report(ctx, g, await kernel.tags.applyRule(store, rule, target(flags)));
  };

  targeted(tag.command('regex').description("named groups of a regex on item names become tags, e.g. '(?<Population>population\\d)_(?<number>\\d+)'"))
    .argument('<pattern>', 'regular expression with named groups')
    .action((pattern: string, flags: TargetFlags, cmd: Command) => run(flags, cmd, { kind: 'regex', pattern }));

  targeted(tag.command('separator').description('v1 helper: KEY = the POSITION-th part of the name split on SEP'))
    .argument('<key>', 'tag key')
    .requiredOption('--sep <separator>', 'separator, e.g. _')
    .requiredOption('--position <n>', 'part index (0 first, -1 last)')
    .action((key: string, flags: TargetFlags & { sep: string; position: string }, cmd: Command) => {
      const position = Number(flags.position);
      if (!Number.isInteger(position)) throw new UsageError(`--position must be an integer, got '${flags.position}'`);
      return run(flags, cmd, { kind: 'separator', key, separator: flags.sep, position });
    });

  targeted(tag.command('words').description('v1 helper: KEY = the first of WORDS found in the item name'))
    .argument('<key>', 'tag key')
    .argument('<words...>', 'candidate values')
    .action((key: string, words: string[], flags: TargetFlags, cmd: Command) => run(flags, cmd, { kind: 'words', key, words }));

  targeted(tag.command('set').description('set tags by hand on the selected items'))
    .argument('<key=value...>', 'tags to set')
    .action((pairs: string[], flags: TargetFlags, cmd: Command) => run(flags, cmd, { kind: 'set', tags: parseAssignments(pairs) }));

  targeted(tag.command('remove').description('remove tags from the selected items'))
    .argument('<keys...>', 'tag keys')
    .option('--drop-keys', "also remove the keys from the experiment's tag keys")
    .action(async (keys: string[], flags: TargetFlags & { dropKeys?: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      report(ctx, g, await (await ctx.getKernel(g)).tags.removeTags(store, keys, target(flags), flags.dropKeys === true));
    });

  tag
    .command('keys')
    .description("show the experiment's tag keys, or replace them")
    .argument('[keys...]', 'new list of keys')
    .option('-e, --experiment <ref>', 'experiment name, path or URI')
    .action(async (keys: string[], flags: { experiment?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      if (keys.length > 0) await store.setTagKeys(keys);
      const info = await store.info();
      if (g.json) printJson(ctx.output, info.keys);
      else ctx.output.out(info.keys.join('\n'));
    });

  targeted(tag.command('export').description('write items and their tags as CSV'))
    .option('-o, --output <file>', 'CSV file (default: standard output)')
    .action(async (flags: TargetFlags & { output?: string }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const csv = await (await ctx.getKernel(g)).tags.exportCsv(store, target(flags));
      if (flags.output === undefined) ctx.output.out(csv);
      else await writeFile(resolve(ctx.cwd, flags.output), csv);
    });

  targeted(tag.command('import').description('set tags from a CSV with an id or name column and one column per tag'))
    .argument('<file>', 'CSV file')
    .action(async (file: string, flags: TargetFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const csv = await readFile(resolve(ctx.cwd, file), 'utf8');
      report(ctx, g, await (await ctx.getKernel(g)).tags.importCsv(store, csv, target(flags)));
    });
}

function target(flags: TargetFlags): TagTarget {
  return { ...(flags.where !== undefined && { where: flags.where }), ...(flags.dataset !== undefined && { dataset: flags.dataset }) };
}

function report(ctx: CliContext, g: GlobalOptions, result: TagResult): void {
  if (g.json) printJson(ctx.output, result);
  else ctx.output.out(`tagged ${result.changed} item(s); ${result.unchanged} unchanged`);
}

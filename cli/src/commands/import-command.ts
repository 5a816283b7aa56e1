import { resolve } from 'node:path';
import type { TagRule } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { parseAssignments, UsageError } from '../usage-error.js';

interface ImportFlags {
  experiment?: string;
  recursive?: boolean;
  glob?: string;
  regex?: string;
  reference?: boolean;
  copy?: boolean;
  format?: string;
  author?: string;
  tag: string[];
  tagRegex: string[];
  tagPathRegex: string[];
  folderKey?: string;
  folderKeys?: string;
  hidden?: boolean;
  skipExisting?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `bioimageit import PATH -e EXP`: copies (or references) files into the raw dataset with checksums
 * and format metadata, tagging them from names, paths and folders on the way. Exit code 1 when
 * some files failed (each is listed); the others are imported.
 */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a folder or file into an experiment')
    .argument('<path>', 'folder or file to import')
    .option('-e, --experiment <ref>', 'experiment name, path or URI')
    .option('-r, --recursive', 'walk sub-folders')
    .option('--glob <pattern>', "only paths matching a glob (relative to PATH), e.g. '**/*.tif'")
    .option('--regex <re>', "only file names matching a regular expression (v1 filter), e.g. '\\.tif$'")
    .option('--reference', 'reference files in place instead of copying them')
    .option('--copy', 'copy files into the experiment (default unless configured otherwise)')
    .option('--format <id>', 'force a format id (default: by extension)')
    .option('--author <name>', 'author recorded on items')
    .option('--tag <key=value>', 'set a tag on every imported item (repeatable)', collect, [])
    .option('--tag-regex <re>', 'named groups of a regex on the file name become tags (repeatable)', collect, [])
    .option('--tag-path-regex <re>', 'named groups of a regex on the relative path become tags (repeatable)', collect, [])
    .option('--folder-key <key>', 'tag KEY = name of the folder holding each file')
    .option('--folder-keys <k1,k2>', 'tag k1 = first folder under PATH, k2 = second, ...')
    .option('--hidden', 'include dot-files')
    .option('--skip-existing', 'skip files already imported (same name and sha256), e.g. to finish an interrupted import')
    .action(async (path: string, flags: ImportFlags, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      if (flags.reference && flags.copy) throw new UsageError('choose one of --reference and --copy');
      const store = await ctx.openExperiment({ ...g, ...(flags.experiment !== undefined && { experiment: flags.experiment }) });
      const kernel = await ctx.getKernel(g);
      const rules: TagRule[] = [
        ...flags.tagRegex.map((pattern): TagRule => ({ kind: 'regex', pattern, source: 'name' })),
        ...flags.tagPathRegex.map((pattern): TagRule => ({ kind: 'regex', pattern, source: 'path' })),
        ...(flags.folderKey !== undefined || flags.folderKeys !== undefined
          ? [
              {
                kind: 'folder',
                ...(flags.folderKey !== undefined && { key: flags.folderKey }),
                ...(flags.folderKeys !== undefined && { keys: flags.folderKeys.split(',').map((k) => k.trim()) }),
              } as TagRule,
            ]
          : []),
        ...(flags.tag.length > 0 ? [{ kind: 'set', tags: parseAssignments(flags.tag) } as TagRule] : []),
      ];
      const bar = new ProgressBar(ctx.output, 'importing');
      const report = await kernel.importData(store, resolve(ctx.cwd, path), {
        ...(flags.recursive !== undefined && { recursive: flags.recursive }),
        ...(flags.glob !== undefined && { glob: flags.glob }),
        ...(flags.regex !== undefined && { regex: flags.regex }),
        ...(flags.hidden !== undefined && { hidden: flags.hidden }),
        ...(flags.skipExisting !== undefined && { skipExisting: flags.skipExisting }),
        ...(flags.reference ? { mode: 'reference' as const } : flags.copy ? { mode: 'copy' as const } : {}),
        ...(flags.format !== undefined && { format: flags.format }),
        ...(flags.author !== undefined && { author: flags.author }),
        tagRules: rules,
        keepItems: g.json === true,
        onProgress: (p) => bar.update(p.done, p.total, p.current ?? ''),
      });
      bar.done();
      if (g.json) {
        printJson(ctx.output, {
          imported: report.importedCount,
          items: report.imported,
          renamed: report.renamed,
          skipped: report.skipped,
          failed: report.failed,
        });
      } else {
        ctx.output.out(`imported ${report.importedCount} item(s) into ${store.uri}`);
        for (const r of report.renamed) ctx.output.out(`renamed: ${r.path} -> ${r.name} (the store cannot hold its name; kept in metadata.originalName)`);
        const already = report.skipped.filter((s) => s.reason.startsWith('already')).length;
        if (already > 0) ctx.output.out(`skipped ${already} file(s) already imported`);
        const unknown = report.skipped.filter((s) => !s.reason.startsWith('already'));
        for (const s of unknown) ctx.output.out(`skipped: ${s.path}: ${s.reason}`);
        if (unknown.length > 0) ctx.output.out(`skipped ${unknown.length} file(s) with no known format`);
        for (const f of report.failed) ctx.output.err(`failed: ${f.error.startsWith(`${f.path}: `) ? f.error : `${f.path}: ${f.error}`}`);
      }
      if (report.failed.length > 0) {
        ctx.exitCode = 1;
        if (!g.json) ctx.output.err(`${report.failed.length} file(s) could not be imported; the other ${report.importedCount} were`);
      }
    });
}

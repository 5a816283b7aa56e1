import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkPluginPackage, CORE_VERSION } from '@bioimageit/core';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `bioimageit plugins`: configured plugins, what they contribute and whether they are usable. */
export function registerPluginsCommand(program: Command, ctx: CliContext): void {
  const plugins = program
    .command('plugins')
    .description('list configured plugins and their state')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const kernel = await ctx.getKernel(g);
      const plugins = kernel.plugins();
      if (g.json) return printJson(ctx.output, plugins);
      printTable(
        ctx.output,
        ['ID', 'PACKAGE', 'VERSION', 'STATE', 'CONTRIBUTES'],
        plugins.map((p) => [
          p.id,
          p.packageName,
          p.version,
          p.state + (p.reason ? ` (${p.reason})` : ''),
          [
            ...(p.contributes.storage ?? []).map((s) => `storage:${s.scheme}`),
            ...(p.contributes.runners ?? []).map((r) => `runner:${r.id}`),
            ...(p.contributes.formats ?? []).map((f) => `format:${f.id}`),
            ...(p.contributes.toolSources ?? []).map((t) => `tools:${t.id}`),
          ].join(' '),
        ]),
      );
    });

  plugins
    .command('validate')
    .description("check plugin packages (package.json, the 'bioimageit' manifest, the module export) without running their code")
    .argument('[dirs...]', 'plugin package folders (default: the current folder)')
    .action(async (dirs: string[], _flags: unknown, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const checks = [];
      for (const dir of dirs.length === 0 ? ['.'] : dirs) checks.push(await checkPluginPackage(resolve(ctx.cwd, dir), CORE_VERSION));
      if (g.json) printJson(ctx.output, checks);
      else {
        for (const c of checks) {
          for (const w of c.warnings) ctx.output.err(`warning: ${c.directory}: ${w.field}: ${w.message}`);
          for (const p of c.problems) ctx.output.err(`invalid: ${c.directory}: ${p.field}: ${p.message}`);
          if (c.problems.length === 0) ctx.output.out(`ok: ${c.directory} (${c.packageName ?? '?'}, plugin ${c.id ?? '?'})`);
        }
      }
      if (checks.some((c) => c.problems.length > 0)) ctx.exitCode = 1;
    });
}

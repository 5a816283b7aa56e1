import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `bioimageit plugins`: configured plugins, what they contribute and whether they are usable. */
export function registerPluginsCommand(program: Command, ctx: CliContext): void {
  program
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
}

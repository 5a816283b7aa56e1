import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeInitialConfig } from '@bioimageit/core';
import type { Command } from 'commander';
import { BUNDLED_TOOLS_ENTRY } from '../bundled-tools.js';
import type { CliContext } from '../context.js';
import { INITIAL_PLUGINS } from '../default-plugins.js';

/**
 * `bioimageit init [DIR]`: makes DIR (default: here) a workspace with a bioimageit.config.json
 * whose `tools.dirs` names the tools shipped with the CLI (`@bioimageit/cli/tools`, resolved from
 * the installed package when the config is loaded), so they run at once; `--no-bundled-tools`
 * leaves them out; `--plugin PACKAGE` (repeatable) enables more plugins than {@link INITIAL_PLUGINS}.
 */
const collect = (value: string, previous: string[]) => [...previous, value];

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('make a folder a BioImageIT workspace (writes bioimageit.config.json)')
    .argument('[dir]', 'workspace folder', '.')
    .option('--user <name>', 'default author of imports and experiments')
    .option('--no-bundled-tools', `do not list the tools shipped with the CLI (${BUNDLED_TOOLS_ENTRY}) in "tools.dirs"`)
    .option(
      '--plugin <package>',
      `also enable this plugin package (repeatable), e.g. @bioimageit/tracking; always enabled: ${INITIAL_PLUGINS.join(', ')}`,
      collect,
      [],
    )
    .action(async (dir: string, opts: { user?: string; bundledTools: boolean; plugin: string[] }) => {
      const workspace = resolve(ctx.cwd, dir);
      await mkdir(workspace, { recursive: true });
      const user = opts.user ?? (ctx.env['BIOIMAGEIT_USER'] || ctx.env['USER'] || 'unknown');
      const file = await writeInitialConfig(workspace, user, {
        plugins: [...new Set([...INITIAL_PLUGINS, ...opts.plugin])],
        toolDirs: opts.bundledTools ? [BUNDLED_TOOLS_ENTRY] : [],
      });
      ctx.output.out(`initialized workspace ${workspace} (${file})`);
      if (opts.bundledTools) ctx.output.out(`tools: those shipped with the CLI ("tools": {"dirs": ["${BUNDLED_TOOLS_ENTRY}"]}); see 'bioimageit tools list'`);
    });
}

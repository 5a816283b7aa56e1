import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeInitialConfig } from '@bioimageit/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `bioimageit init [DIR]`: makes DIR (default: here) a workspace with a bioimageit.config.json. */
export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('make a folder a BioImageIT workspace (writes bioimageit.config.json)')
    .argument('[dir]', 'workspace folder', '.')
    .option('--user <name>', 'default author of imports and experiments')
    .action(async (dir: string, opts: { user?: string }) => {
      const workspace = resolve(ctx.cwd, dir);
      await mkdir(workspace, { recursive: true });
      const user = opts.user ?? (ctx.env['BIOIMAGEIT_USER'] || ctx.env['USER'] || 'unknown');
      const file = await writeInitialConfig(workspace, user);
      ctx.output.out(`initialized workspace ${workspace} (${file})`);
    });
}

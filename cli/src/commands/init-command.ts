import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isLicenseValue, parseOrcid, writeInitialConfig } from '@bioimageit/core';
import type { Command } from 'commander';
import { BUNDLED_TOOLS_ENTRY } from '../bundled-tools.js';
import type { CliContext } from '../context.js';
import { INITIAL_PLUGINS } from '../default-plugins.js';
import { UsageError } from '../usage-error.js';

/** Licence a new workspace declares for the data it exports (RO-Crate `license`) unless told otherwise. */
export const DEFAULT_WORKSPACE_LICENSE = 'CC-BY-4.0';

/**
 * `bioimageit init [DIR]`: makes DIR (default: here) a workspace with a bioimageit.config.json
 * whose `tools.dirs` names the tools shipped with the CLI (`@bioimageit/cli/tools`, resolved from
 * the installed package when the config is loaded), so they run at once; `--no-bundled-tools`
 * leaves them out; `--plugin PACKAGE` (repeatable) enables more plugins than {@link INITIAL_PLUGINS}.
 * The config declares `license` {@link DEFAULT_WORKSPACE_LICENSE} (`--license ID|URL` picks
 * another) and, with `--orcid ID`, the user's ORCID iD: exported RO-Crates carry both.
 */
const collect = (value: string, previous: string[]) => [...previous, value];

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('make a folder a BioImageIT workspace (writes bioimageit.config.json)')
    .argument('[dir]', 'workspace folder', '.')
    .option('--user <name>', 'default author of imports and experiments')
    .option('--orcid <id>', "the user's ORCID iD (0000-0002-1825-0097): names them in exported RO-Crates")
    .option('--license <id>', 'licence of the data this workspace exports (SPDX id or URL)', DEFAULT_WORKSPACE_LICENSE)
    .option('--no-bundled-tools', `do not list the tools shipped with the CLI (${BUNDLED_TOOLS_ENTRY}) in "tools.dirs"`)
    .option(
      '--plugin <package>',
      `also enable this plugin package (repeatable), e.g. @bioimageit/tracking; always enabled: ${INITIAL_PLUGINS.join(', ')}`,
      collect,
      [],
    )
    .action(async (dir: string, opts: { user?: string; orcid?: string; license: string; bundledTools: boolean; plugin: string[] }) => {
      const orcid = opts.orcid === undefined ? undefined : parseOrcid(opts.orcid);
      if (opts.orcid !== undefined && orcid === undefined)
        throw new UsageError(`--orcid '${opts.orcid}' is not an ORCID iD (four groups of four digits such as 0000-0002-1825-0097, with a valid check digit)`);
      const license = opts.license.trim();
      if (!isLicenseValue(license))
        throw new UsageError(`--license '${opts.license}' is neither an SPDX licence id (CC-BY-4.0, CC0-1.0, MIT) nor an http(s) URL`);
      const workspace = resolve(ctx.cwd, dir);
      await mkdir(workspace, { recursive: true });
      const user = opts.user ?? (ctx.env['BIOIMAGEIT_USER'] || ctx.env['USER'] || 'unknown');
      const file = await writeInitialConfig(workspace, user, {
        plugins: [...new Set([...INITIAL_PLUGINS, ...opts.plugin])],
        toolDirs: opts.bundledTools ? [BUNDLED_TOOLS_ENTRY] : [],
        license,
        ...(orcid !== undefined && { orcid }),
      });
      ctx.output.out(`initialized workspace ${workspace} (${file})`);
      ctx.output.out(
        `license: ${license}${license === DEFAULT_WORKSPACE_LICENSE ? ' (the default)' : ''}: exported RO-Crates declare it for your data; change "license" in the config to publish under another`,
      );
      if (orcid === undefined)
        ctx.output.out(`author: ${user} (add "orcid" under "user" in the config, or pass --orcid, to name yourself by ORCID iD in exported RO-Crates)`);
      if (opts.bundledTools) ctx.output.out(`tools: those shipped with the CLI ("tools": {"dirs": ["${BUNDLED_TOOLS_ENTRY}"]}); see 'bioimageit tools list'`);
    });
}

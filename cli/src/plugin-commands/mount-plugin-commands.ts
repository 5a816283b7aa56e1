import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { importPluginModule, PluginError, type CommandContext, type CommandDescription, type HostModules } from '@bioimageit/core';
import type { CliContext, GlobalOptions } from '../context.js';
import { UsageError } from '../usage-error.js';
import { addDescribedCommand } from './commander-from-description.js';
import { readWorkspaceConfig, type PluginCommand } from './discover-plugin-commands.js';

/**
 * Adds the plugin commands to `program`. The one `argv` runs (`bioimageit NAME ...`, or
 * `bioimageit help NAME`) has its module imported and mounted in full; every other is a
 * placeholder with the manifest's summary, so `--help` lists it without loading any plugin code.
 */
export async function mountPluginCommands(program: Command, ctx: CliContext, commands: readonly PluginCommand[], argv: readonly string[]): Promise<void> {
  const words = commandWords(argv);
  const invoked = words[0] === 'help' ? words[1] : words[0];
  for (const command of commands) {
    const { declaration } = command;
    if (declaration.name === invoked) {
      const description = await loadCommandModule(command, ctx.hostModules);
      addDescribedCommand(program, description, async (described, args, cmd) => {
        const code = await described.run?.(args, await commandContext(ctx, cmd.optsWithGlobals<GlobalOptions>()));
        if (typeof code === 'number') ctx.exitCode = code;
      });
    } else {
      program.command(declaration.name).summary(declaration.summary).description(declaration.summary);
    }
  }
}

/** The `--workspace DIR` (or `--workspace=DIR`) of `argv`, read before commander parses it (it decides which plugins are configured). */
export function workspaceArgument(argv: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') break;
    if (word === '--workspace') found = argv[++i];
    else if (word.startsWith('--workspace=')) found = word.slice('--workspace='.length);
  }
  return found;
}

/** The words of `argv` that are not the program's own options (`--json`, `--workspace DIR`): the command's name first. */
export function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--workspace') i++;
    else if (!word.startsWith('-')) words.push(word);
    else if (word === '--') break;
  }
  return words;
}

/**
 * Imports the command's module (a subpath export of the plugin package, else a file relative to a
 * folder plugin; the program's own copy where `host` has one) and checks that it default-exports
 * the command its manifest declares. Throws PluginError ACTIVATION_FAILED (the import threw) or
 * NOT_CONTRIBUTED, naming the plugin.
 */
export async function loadCommandModule({ declaration, descriptor }: PluginCommand, host: HostModules = {}): Promise<CommandDescription> {
  const where = `command '${declaration.name}' of plugin '${descriptor.manifest.id}' (${descriptor.packageName}${declaration.module.slice(1)})`;
  let namespace: unknown;
  try {
    namespace = await importPluginModule({ ...descriptor, manifest: { ...descriptor.manifest, module: declaration.module } }, host).catch((err: unknown) => {
      const file = resolve(descriptor.directory, declaration.module);
      if (!existsSync(file) || !statSync(file).isFile()) throw err;
      return import(pathToFileURL(file).href) as Promise<unknown>;
    });
  } catch (cause) {
    throw new PluginError('ACTIVATION_FAILED', `${where} failed to load: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { plugin: descriptor.manifest.id, package: descriptor.packageName, command: declaration.name },
    });
  }
  const description = (namespace as { default?: Partial<CommandDescription> } | undefined)?.default;
  if (typeof description !== 'object' || description === null || description.name !== declaration.name || typeof description.summary !== 'string') {
    throw new PluginError('NOT_CONTRIBUTED', `${where} must default-export a command description named '${declaration.name}' (see CommandDescription)`, {
      details: { plugin: descriptor.manifest.id, package: descriptor.packageName, command: declaration.name },
    });
  }
  return description as CommandDescription;
}

/** What a plugin command runs with: the CLI's output, folder, settings-filled environment and kernel. */
async function commandContext(ctx: CliContext, globals: GlobalOptions): Promise<CommandContext> {
  return {
    cwd: ctx.cwd,
    env: await ctx.settingsEnvironment(globals),
    json: globals.json === true,
    ...(globals.workspace !== undefined && { workspace: globals.workspace }),
    interactive: ctx.output.interactive,
    out: (text) => ctx.output.out(text),
    err: (text) => ctx.output.err(text),
    kernel: () => ctx.getKernel(globals),
    config: () => readWorkspaceConfig(ctx.cwd, ctx.env, globals.workspace),
    usageError: (message) => new UsageError(message),
  };
}

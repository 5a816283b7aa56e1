import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  CORE_VERSION,
  defaultConfig,
  loadKernelConfig,
  PluginError,
  readPluginDescriptor,
  type CommandDeclaration,
  type KernelConfig,
  type PluginDescriptor,
} from '@bioimageit/core';
import { BUNDLED_COMMAND_PLUGINS, DEFAULT_PLUGINS } from '../default-plugins.js';

/** A command a plugin declares in its manifest, with the plugin it comes from. */
export interface PluginCommand {
  readonly declaration: CommandDeclaration;
  readonly descriptor: PluginDescriptor;
}

/** What discovery found: the commands, and what could not be read (told when an unknown command is asked for). */
export interface DiscoveredCommands {
  readonly commands: readonly PluginCommand[];
  readonly problems: readonly Error[];
}

/**
 * The workspace's configuration as the kernel would read it (`--workspace`, BIOIMAGEIT_WORKSPACE or
 * the folders above `cwd`), or defaults outside any workspace. Throws ConfigError for a bad file.
 */
export async function readWorkspaceConfig(cwd: string, env: NodeJS.ProcessEnv, workspace: string | undefined): Promise<KernelConfig> {
  try {
    return await loadKernelConfig({ cwd, env, defaultPlugins: DEFAULT_PLUGINS, ...(workspace !== undefined && { workspace }) });
  } catch (err) {
    if (!(err instanceof ConfigError) || err.code !== 'NO_WORKSPACE') throw err;
    return defaultConfig(cwd, env['BIOIMAGEIT_USER'] || env['USER'] || 'unknown', DEFAULT_PLUGINS);
  }
}

/**
 * Reads the manifests (no plugin code runs) of the workspace's configured plugins and of the
 * plugins installed with the CLI whose commands it always offers ({@link BUNDLED_COMMAND_PLUGINS}),
 * and collects the commands they contribute. A plugin that cannot be read (not installed, a bad
 * manifest) or a bad configuration is a problem, not an error: built-in commands keep working and the
 * kernel reports it when one needs it. A command whose name is a built-in command's or another
 * plugin's throws PluginError DUPLICATE_CONTRIBUTION naming both.
 */
export async function discoverPluginCommands(
  cwd: string,
  env: NodeJS.ProcessEnv,
  workspace: string | undefined,
  builtins: ReadonlySet<string>,
): Promise<DiscoveredCommands> {
  const problems: Error[] = [];
  let config: KernelConfig | undefined;
  try {
    config = await readWorkspaceConfig(cwd, env, workspace);
  } catch (err) {
    problems.push(err as Error);
  }
  const bases = [...(config !== undefined ? [config.workspace] : []), dirname(fileURLToPath(import.meta.url))];
  const descriptors: PluginDescriptor[] = [];
  for (const spec of [...(config?.plugins ?? []), ...BUNDLED_COMMAND_PLUGINS]) {
    try {
      const descriptor = await readPluginDescriptor(spec, bases, CORE_VERSION);
      if (!descriptors.some((d) => d.packageName === descriptor.packageName)) descriptors.push(descriptor);
    } catch (err) {
      problems.push(err as Error);
    }
  }
  const commands = new Map<string, PluginCommand>();
  for (const descriptor of descriptors) {
    for (const declaration of descriptor.manifest.contributes.commands ?? []) {
      const { name } = declaration;
      const other = commands.get(name);
      if (builtins.has(name) || other !== undefined) {
        const clash = other === undefined ? 'a built-in command of bioimageit' : `also contributed by ${pluginName(other.descriptor)}`;
        const fix = other === undefined ? 'remove the plugin from "plugins"' : 'remove one of them from "plugins"';
        throw new PluginError('DUPLICATE_CONTRIBUTION', `command '${name}' of ${pluginName(descriptor)} is ${clash}: ${fix}`, {
          details: { command: name, plugins: [...(other !== undefined ? [other.descriptor.packageName] : ['(built-in)']), descriptor.packageName] },
        });
      }
      commands.set(name, { declaration, descriptor });
    }
  }
  return { commands: [...commands.values()], problems };
}

function pluginName(descriptor: PluginDescriptor): string {
  return `plugin '${descriptor.manifest.id}' (${descriptor.packageName})`;
}

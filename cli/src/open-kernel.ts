import { ConfigError, createKernel, defaultConfig, loadKernelConfig, type HostModules, type Kernel } from '@bioimageit/core';
import { DEFAULT_PLUGINS, KNOWN_PLUGINS } from './default-plugins.js';

/** Where and how {@link openKernel} opens the kernel. */
export interface OpenKernelOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `--workspace`; default BIOIMAGEIT_WORKSPACE, or the folders above `cwd`. */
  readonly workspace?: string;
  /** Outside any workspace, throw ConfigError NO_WORKSPACE instead of using the defaults. */
  readonly requireWorkspace: boolean;
  readonly hostModules: HostModules;
}

/**
 * Creates the kernel of the workspace, with the CLI's default and known plugins; outside any
 * workspace, on the defaults for `cwd` unless `requireWorkspace`. CliContext imports this module
 * when a command first asks for the kernel, so commands that need none never load the kernel's
 * code. Throws what loadKernelConfig and createKernel throw.
 */
export async function openKernel(options: OpenKernelOptions): Promise<Kernel> {
  const { cwd, env, hostModules } = options;
  try {
    const config = await loadKernelConfig({
      cwd,
      env,
      defaultPlugins: DEFAULT_PLUGINS,
      ...(options.workspace !== undefined && { workspace: options.workspace }),
    });
    return await createKernel({ config, env, knownPlugins: KNOWN_PLUGINS, hostModules });
  } catch (err) {
    if (options.requireWorkspace || !(err instanceof ConfigError) || err.code !== 'NO_WORKSPACE') throw err;
    const user = env['BIOIMAGEIT_USER'] || env['USER'] || 'unknown';
    return createKernel({ config: defaultConfig(cwd, user, DEFAULT_PLUGINS), env, knownPlugins: KNOWN_PLUGINS, hostModules });
  }
}

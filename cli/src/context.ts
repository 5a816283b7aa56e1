import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadKernelConfig, settingsEnvironment, type ExperimentStore, type HostModules, type Kernel } from '@bioimageit/core';
import type { Output } from './output.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly workspace?: string;
  readonly json?: boolean;
}

/**
 * What a command runs against: the kernel (created on first use, so `--help` and `init` never
 * load plugins nor the kernel's code) and the output. Commands never touch the container.
 */
export class CliContext {
  private kernel?: Promise<Kernel>;
  /** Exit status a command sets for partial failures (1); errors thrown set it elsewhere. */
  exitCode = 0;

  /**
   * @param hostModules the modules the running program carries inside itself (the CLI's bundle;
   * see RunCliOptions): the kernel and {@link importModule} use them instead of node_modules.
   */
  constructor(
    readonly output: Output,
    readonly cwd: string,
    readonly env: NodeJS.ProcessEnv,
    readonly hostModules: HostModules = {},
  ) {}

  /**
   * Imports a package by its bare specifier (`@bioimageit/server`): the program's own copy when it
   * carries one (see {@link hostModules}), else the installed package. For packages loaded only by
   * the command that needs them.
   */
  importModule(specifier: string): Promise<unknown> {
    const own = this.hostModules.modules?.[specifier];
    return own !== undefined ? own() : import(specifier);
  }

  /**
   * The kernel for the workspace (from --workspace, BIOIMAGEIT_WORKSPACE or the folders above the
   * current one). Outside any workspace, commands that name an experiment by path still work on
   * defaults; `requireWorkspace` makes that an error instead.
   */
  getKernel(options: GlobalOptions, requireWorkspace = false): Promise<Kernel> {
    this.kernel ??= import('./open-kernel.js').then(({ openKernel }) =>
      openKernel({
        cwd: this.cwd,
        env: this.env,
        requireWorkspace,
        hostModules: this.hostModules,
        ...(options.workspace !== undefined && { workspace: options.workspace }),
      }),
    );
    return this.kernel;
  }

  /**
   * The environment with the workspace config's plugin `settings` filled in where it sets none
   * (see core's settingsEnvironment); the environment alone outside any workspace. For commands
   * that work without a kernel (`omero`).
   */
  async settingsEnvironment(options: GlobalOptions): Promise<NodeJS.ProcessEnv> {
    try {
      const config = await loadKernelConfig({ cwd: this.cwd, env: this.env, ...(options.workspace !== undefined && { workspace: options.workspace }) });
      return settingsEnvironment(config, this.env);
    } catch (err) {
      if (err instanceof ConfigError && err.code === 'NO_WORKSPACE') return this.env;
      throw err;
    }
  }

  /**
   * Opens the experiment named by `-e`, or the experiment folder the shell is in. Throws
   * ConfigError INVALID when neither applies.
   */
  async openExperiment(options: GlobalOptions & { experiment?: string }): Promise<ExperimentStore> {
    const kernel = await this.getKernel(options);
    const ref = options.experiment ?? (existsSync(join(this.cwd, 'experiment.md.json')) ? this.cwd : undefined);
    if (ref === undefined) {
      throw new ConfigError('INVALID', 'which experiment? pass -e NAME|PATH|URI, or run the command inside an experiment folder');
    }
    // A URI (`omero://host/project/1`, `file:///w/exp`) goes to its backend as is.
    const isUri = /^[a-z][a-z0-9+.-]*:\/\//i.test(ref);
    const looksLikePath = !isUri && (ref.startsWith('.') || ref.startsWith('/') || ref.includes('/'));
    return kernel.openExperiment(looksLikePath ? resolve(this.cwd, ref) : ref);
  }

  async close(): Promise<void> {
    if (this.kernel !== undefined) await (await this.kernel.catch(() => undefined))?.dispose();
  }
}

import type { HostModules } from '@bioimageit/core';
import type { Output } from './output.js';

/** Where a run of the `bioimageit` command prints, in which folder it runs, and its environment. */
export interface RunCliOptions {
  readonly output?: Output;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The modules the running program carries inside itself: given by the CLI's bundle
   * (cli/scripts/bundle.mjs), so that plugins, the server and plugins loaded from elsewhere all
   * use its one copy of core. Default none (packages are imported from node_modules).
   */
  readonly hostModules?: HostModules;
}

/**
 * Runs the `bioimageit` command with `argv` (without the node and script paths) and resolves to
 * its exit code (see runCli in program.ts). Commands that run other commands (the demo) get it
 * passed in, so that they need not import program.ts, which imports them.
 */
export type RunCli = (argv: readonly string[], options?: RunCliOptions) => Promise<number>;

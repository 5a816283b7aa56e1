/** @bioimageit/cli — the `bioimageit` command, usable in-process through runCli. */
export { runCli, type RunCliOptions } from './program.js';
export type { Output } from './output.js';
export { DEFAULT_PLUGINS, INITIAL_PLUGINS, KNOWN_PLUGINS } from './default-plugins.js';

/** @bioimageit/cli — the `bioimageit` command, usable in-process through runCli. */
export { runCli, type RunCliOptions } from './program.js';
export type { Output } from './output.js';

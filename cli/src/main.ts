import { runCli } from './program.js';

/** Entry point of the `bioimageit` binary. */
const code = await runCli(process.argv.slice(2));
process.exitCode = code;

import { runCli } from './program.js';

/**
 * `npm run demo` (after the build): `bioimageit demo [DIR]`, the main job on the embedded defaults.
 * Usage: node cli/dist/demo.js [DIR] [--jobs N]   (default DIR: ./demo-workspace, recreated each time)
 */
process.exitCode = await runCli(['demo', ...process.argv.slice(2)]);

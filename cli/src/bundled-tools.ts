import { fileURLToPath } from 'node:url';

/**
 * The folder of the tools shipped with the CLI package (`cli/tools`: native `*.tool.json`
 * manifests and the Node scripts they start). Add it to a workspace's `tools.dirs` to use them;
 * the same path works from the sources (`cli/src`) and from the build (`cli/dist`).
 */
export const BUNDLED_TOOLS_DIR = fileURLToPath(new URL('../tools/', import.meta.url)).replace(/[\\/]$/, '');

/** The pipeline `bioimageit demo` runs: blur → threshold → count objects → summary per well. */
export const DEMO_PIPELINE_FILE = fileURLToPath(new URL('../tools/demo-pipeline.json', import.meta.url));

import { fileURLToPath } from 'node:url';

/**
 * The folder of the tools shipped with the CLI package (`cli/tools`: native `*.tool.json`
 * manifests and the Node scripts they start). The same path works from the sources (`cli/src`)
 * and from the build (`cli/dist`). Configs name it {@link BUNDLED_TOOLS_ENTRY}, not by this path.
 */
export const BUNDLED_TOOLS_DIR = fileURLToPath(new URL('../tools/', import.meta.url)).replace(/[\\/]$/, '');

/**
 * How a workspace's `tools.dirs` names the bundled tools: a folder of the installed CLI package,
 * resolved when the config is loaded (core's `resolveToolFolders`), so the config holds no path of
 * one machine and keeps working after the CLI moves or is upgraded. `bioimageit init` writes it.
 */
export const BUNDLED_TOOLS_ENTRY = '@bioimageit/cli/tools';

/** The pipeline `bioimageit demo` runs: blur → threshold → count objects → summary per well. */
export const DEMO_PIPELINE_FILE = fileURLToPath(new URL('../tools/demo-pipeline.json', import.meta.url));

/** The pipeline `bioimageit demo llsm` runs: deskew → deconvolve (PSF broadcast) → detect spots → track → render (needs gpu-decon and tracking). */
export const LLSM_PIPELINE_FILE = fileURLToPath(new URL('../tools/llsm-pipeline.json', import.meta.url));

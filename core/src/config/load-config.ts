import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/area-errors.js';
import { applyEnvOverrides, CONFIG_FILE, defaultConfig, mergeConfig, type KernelConfig } from './kernel-config.js';
import { resolveToolFolders } from './tool-folders.js';

export interface LoadConfigOptions {
  /** Workspace folder; otherwise BIOIMAGEIT_WORKSPACE, otherwise the nearest folder above `cwd` holding bioimageit.config.json. */
  readonly workspace?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Plugins of a workspace whose file and environment name none (`plugins`, `BIOIMAGEIT_PLUGINS`).
   * Core knows no plugin: the composition root (the CLI) gives its embedded default. Default none.
   */
  readonly defaultPlugins?: readonly string[];
}

/**
 * Finds the workspace, reads its bioimageit.config.json and applies environment overrides, then
 * resolves package entries of `tools.dirs` (`@scope/package/tools`) to the folders of the
 * installed packages (see {@link resolveToolFolders}). Throws ConfigError NO_WORKSPACE (with the
 * command that creates one) or INVALID.
 */
export async function loadKernelConfig(options: LoadConfigOptions = {}): Promise<KernelConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.workspace ?? (env['BIOIMAGEIT_WORKSPACE'] || undefined);
  const workspace = explicit !== undefined ? resolve(cwd, explicit) : findWorkspace(cwd);
  if (workspace === undefined) {
    throw new ConfigError(
      'NO_WORKSPACE',
      `no BioImageIT workspace here: no ${CONFIG_FILE} in ${cwd} or above (create one with 'bioimageit init DIR', or pass --workspace DIR)`,
      {
        details: { cwd },
      },
    );
  }
  const file = join(workspace, CONFIG_FILE);
  let raw: unknown;
  if (existsSync(file)) {
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (cause) {
      throw new ConfigError('INVALID', `${file} is not valid JSON: ${(cause as Error).message}`, { cause, details: { file } });
    }
  } else if (explicit === undefined) {
    throw new ConfigError('NOT_FOUND', `${file} is missing`, { details: { file } });
  }
  const base = defaultConfig(workspace, defaultUserName(env), options.defaultPlugins ?? []);
  const config = applyEnvOverrides(mergeConfig(base, raw, file), env, delimiter);
  const toolsSource = env['BIOIMAGEIT_TOOL_DIRS'] ? 'environment (BIOIMAGEIT_TOOL_DIRS)' : file;
  return { ...config, tools: { ...config.tools, dirs: resolveToolFolders(config.tools.dirs, workspace, toolsSource) } };
}

/** What a new workspace's config holds besides the defaults. */
export interface InitialConfigOptions {
  /**
   * `tools.dirs` to write: folder paths, or package folders such as `@scope/package/tools` (see
   * {@link resolveToolFolders}), which name the same tools on every machine. Default: none.
   */
  readonly toolDirs?: readonly string[];
  /** `plugins` to write (the composition root's choice for new workspaces). Default: none. */
  readonly plugins?: readonly string[];
  /** `license` to write (an SPDX id or URL: the licence of the data the workspace exports). Default: none. */
  readonly license?: string;
  /** `user.orcid` to write (an iD accepted by `parseOrcid`). Default: none. */
  readonly orcid?: string;
}

/** Writes a fresh config file for a new workspace; EXISTS-like INVALID when one is there already. */
export async function writeInitialConfig(workspace: string, userName: string, options: InitialConfigOptions = {}): Promise<string> {
  const file = join(workspace, CONFIG_FILE);
  if (existsSync(file)) throw new ConfigError('INVALID', `${file} already exists: this folder is already a workspace`, { details: { file } });
  const body = {
    user: { name: userName, ...(options.orcid !== undefined && { orcid: options.orcid }) },
    ...(options.license !== undefined && { license: options.license }),
    experiments: '.',
    plugins: [...(options.plugins ?? [])],
    import: { mode: 'copy', batchSize: 500, concurrency: 8 },
    ...(options.toolDirs !== undefined && options.toolDirs.length > 0 && { tools: { dirs: [...options.toolDirs] } }),
  };
  await writeFile(file, JSON.stringify(body, null, 2) + '\n', { flag: 'wx' });
  return file;
}

function findWorkspace(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, CONFIG_FILE))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function defaultUserName(env: NodeJS.ProcessEnv): string {
  try {
    return env['USER'] || userInfo().username || 'unknown';
  } catch {
    return env['USER'] || 'unknown';
  }
}

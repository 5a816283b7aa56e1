import os from 'node:os';
import path from 'node:path';

/** What the conda runner needs to know about this machine and workspace. */
export interface CondaSettings {
  /**
   * A conda-compatible command (`micromamba`, `mamba`, `conda`, a name or a path) to create and run
   * environments with; `undefined`: look for one on PATH; `'embedded'`: never use one (rattler).
   */
  readonly command?: string;
  /** Folder holding one prefix per requirement set (`<workspace>/.bioimageit/envs` by default). */
  readonly envsDir: string;
  /** Channels used when a requirement names none (default `conda-forge`). */
  readonly defaultChannels: readonly string[];
  /** Base URL that bare channel names are appended to (default `https://conda.anaconda.org/`). */
  readonly channelAlias: string;
  /** Folders searched for environments a requirement names without packages (`env: "cellpose"`). */
  readonly namedEnvDirs: readonly string[];
}

/** Default channel alias: where `conda-forge` lives. */
export const DEFAULT_CHANNEL_ALIAS = 'https://conda.anaconda.org/';

/**
 * Variables that configure the runner (read once, when the plugin activates):
 * `BIOIMAGEIT_CONDA_COMMAND` (a command name or path, or `embedded`), `BIOIMAGEIT_CONDA_ENVS`
 * (environments folder, relative to the workspace), `BIOIMAGEIT_CONDA_CHANNELS` (comma-separated
 * default channels), `BIOIMAGEIT_CONDA_CHANNEL_ALIAS`, `BIOIMAGEIT_CONDA_ENVS_DIRS`
 * (path-delimited folders of named environments).
 */
export const CONDA_SETTING_VARIABLES = [
  'BIOIMAGEIT_CONDA_COMMAND',
  'BIOIMAGEIT_CONDA_ENVS',
  'BIOIMAGEIT_CONDA_CHANNELS',
  'BIOIMAGEIT_CONDA_CHANNEL_ALIAS',
  'BIOIMAGEIT_CONDA_ENVS_DIRS',
] as const;

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The settings of a workspace: defaults overridden by the {@link CONDA_SETTING_VARIABLES}. */
export function condaSettings(workspace: string, env: Readonly<Record<string, string | undefined>> = process.env): CondaSettings {
  const envs = nonEmpty(env['BIOIMAGEIT_CONDA_ENVS']);
  const channels = nonEmpty(env['BIOIMAGEIT_CONDA_CHANNELS']);
  const alias = nonEmpty(env['BIOIMAGEIT_CONDA_CHANNEL_ALIAS']) ?? DEFAULT_CHANNEL_ALIAS;
  const dirs = nonEmpty(env['BIOIMAGEIT_CONDA_ENVS_DIRS']);
  const home = os.homedir();
  const command = nonEmpty(env['BIOIMAGEIT_CONDA_COMMAND']);
  return {
    ...(command !== undefined && { command }),
    envsDir: path.resolve(workspace, envs ?? path.join('.bioimageit', 'envs')),
    defaultChannels:
      channels === undefined
        ? ['conda-forge']
        : channels
            .split(',')
            .map((c) => c.trim())
            .filter((c) => c !== ''),
    channelAlias: alias.endsWith('/') ? alias : `${alias}/`,
    namedEnvDirs:
      dirs === undefined
        ? [
            path.join(home, '.conda', 'envs'),
            path.join(home, 'micromamba', 'envs'),
            path.join(home, 'miniforge3', 'envs'),
            path.join(home, 'miniconda3', 'envs'),
          ]
        : dirs.split(path.delimiter).filter((d) => d !== ''),
  };
}

/** `conda-forge` → `https://conda.anaconda.org/conda-forge/`; URLs and local paths keep their form (with a final slash). */
export function channelUrl(channel: string, alias: string): string {
  const withSlash = (u: string): string => (u.endsWith('/') ? u : `${u}/`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(channel)) return withSlash(channel);
  if (path.isAbsolute(channel)) return withSlash(`file://${channel}`);
  return withSlash(`${alias}${channel}`);
}

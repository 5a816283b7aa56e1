import { ConfigError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';
import { isLicenseValue } from './license-value.js';
import { parseOrcid } from './parse-orcid.js';

/** File name of a workspace's configuration; its folder is the workspace. */
export const CONFIG_FILE = 'bioimageit.config.json';

/** Injection token under which the kernel binds the resolved configuration (plugins may inject it). */
export const KernelConfig = Symbol.for('@bioimageit/core/KernelConfig');

/**
 * Configuration of a workspace (`bioimageit.config.json`), every field optional in the file.
 * Environment variables override it (see {@link applyEnvOverrides}).
 */
export interface KernelConfig {
  /** Absolute path of the workspace folder (where experiments live by default). */
  readonly workspace: string;
  /**
   * Default author of imports and experiments (`name`, default the login name) and, when given,
   * their ORCID iD (`orcid`, the bare `0000-0002-1825-0097` form, checksum verified): exported
   * RO-Crates name this person by `https://orcid.org/<orcid>`.
   */
  readonly user: { readonly name: string; readonly orcid?: string };
  /**
   * Licence of the data the workspace publishes (`license`, or British `licence`, in the file): an
   * SPDX identifier such as `CC-BY-4.0` or the URL of a licence. Exported RO-Crates carry it as the
   * root dataset's `license`; absent, an export warns. `bioimageit init` writes `CC-BY-4.0`.
   */
  readonly license?: string;
  /** Where experiments are created and listed: a path (relative to the workspace) or a URI. */
  readonly experiments: string;
  /** Plugin packages (npm names or folder paths) to load. */
  readonly plugins: readonly string[];
  readonly import: {
    /** `copy` files into the experiment (v1 behaviour) or `reference` them in place. */
    readonly mode: 'copy' | 'reference';
    /** Items committed per storage write. */
    readonly batchSize: number;
    /** Files read and hashed at once. */
    readonly concurrency: number;
    /**
     * Server-side folders the REST API may import from, by name (`{"microscope1":
     * "/data/microscope1"}`; relative paths from the workspace). Optional; file only. A client
     * names a root and a path inside it, never a server path (see `bioimageit serve --import-root`).
     */
    readonly roots?: Readonly<Record<string, string>>;
  };
  /**
   * Folders of tool manifests: paths (relative ones from the workspace) or, in the file and in
   * `BIOIMAGEIT_TOOL_DIRS`, folders of installed packages (`@scope/package/tools`, such as the
   * tools shipped with the CLI), which `loadKernelConfig` resolves to paths (see `resolveToolFolders`).
   */
  readonly tools: { readonly dirs: readonly string[] };
  /**
   * Values of `{env.NAME}` placeholders in tool command lines (v1's config `env` list, e.g.
   * `{ "python": "/usr/bin/python3" }` for wrappers that say `${python}`). File only, no overrides.
   * `node` defaults to the Node.js running the kernel (`process.execPath`), so tools written as
   * Node scripts (the CLI's bundled tools) start with `{env.node}` whatever the job's PATH holds.
   */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Plugin settings, by the names of the environment variables the plugins read
   * (`{"BIOIMAGEIT_SLURM_PARTITION": "gpu", "DOCKER_HOST": "unix:///run/docker.sock"}`): a
   * facility keeps them in the workspace instead of every user's shell. A variable set (non-empty)
   * in the environment wins over the file. Plugins declare the names they read
   * (`bioimageit.settings` in their package.json); the kernel refuses a name no configured plugin
   * declares. Plugins read them through {@link settingsEnvironment}.
   */
  readonly settings: Readonly<Record<string, string>>;
}

/**
 * Defaults for a workspace folder. `plugins`: what a workspace without a `plugins` setting loads;
 * core knows no plugin, so the caller gives them (the CLI, the composition root, passes its
 * embedded default); default none.
 */
export function defaultConfig(workspace: string, userName: string, plugins: readonly string[] = []): KernelConfig {
  return {
    workspace,
    user: { name: userName },
    experiments: '.',
    plugins,
    import: { mode: 'copy', batchSize: 500, concurrency: 8 },
    tools: { dirs: [] },
    env: { node: process.execPath },
    settings: {},
  };
}

/**
 * Environment variables that override the file:
 * `BIOIMAGEIT_USER`, `BIOIMAGEIT_EXPERIMENTS`, `BIOIMAGEIT_PLUGINS` (comma-separated),
 * `BIOIMAGEIT_IMPORT_MODE`, `BIOIMAGEIT_IMPORT_BATCH_SIZE`, `BIOIMAGEIT_IMPORT_CONCURRENCY`,
 * `BIOIMAGEIT_TOOL_DIRS` (path-delimiter separated). (`BIOIMAGEIT_WORKSPACE` picks the workspace.)
 */
export const ENV_OVERRIDES = {
  BIOIMAGEIT_USER: 'user.name',
  BIOIMAGEIT_EXPERIMENTS: 'experiments',
  BIOIMAGEIT_PLUGINS: 'plugins',
  BIOIMAGEIT_IMPORT_MODE: 'import.mode',
  BIOIMAGEIT_IMPORT_BATCH_SIZE: 'import.batchSize',
  BIOIMAGEIT_IMPORT_CONCURRENCY: 'import.concurrency',
  BIOIMAGEIT_TOOL_DIRS: 'tools.dirs',
} as const;

/**
 * Merges a parsed config file over the defaults, validating every field. Throws ConfigError
 * INVALID naming the file and the field.
 */
export function mergeConfig(base: KernelConfig, raw: unknown, source: string): KernelConfig {
  const bad = (field: string, why: string) => new ConfigError('INVALID', `${source}: '${field}' ${why}`, { details: { source, field } });
  if (raw === undefined) return base;
  if (!isRecord(raw)) throw bad('(root)', 'must be a JSON object');
  const known = new Set(['$schema', 'user', 'license', 'licence', 'experiments', 'plugins', 'import', 'tools', 'env', 'settings', 'workspace']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(key, `is not a known setting (${[...known].slice(1).join(', ')})`);
  let config = base;
  if (raw['user'] !== undefined) {
    const user = raw['user'];
    if (!isRecord(user)) throw bad('user', 'must be an object ({"name": "…", "orcid": "0000-0002-1825-0097"})');
    const name = user['name'] ?? config.user.name;
    if (typeof name !== 'string' || name.trim() === '') throw bad('user.name', 'must be a non-empty string');
    const orcid = user['orcid'] === undefined ? config.user.orcid : typeof user['orcid'] === 'string' ? parseOrcid(user['orcid']) : undefined;
    if (user['orcid'] !== undefined && orcid === undefined)
      throw bad(
        'user.orcid',
        `must be an ORCID iD such as 0000-0002-1825-0097 (four groups of four digits, the last check digit may be X) with a valid check digit; got ${JSON.stringify(user['orcid'])}`,
      );
    config = { ...config, user: { name, ...(orcid !== undefined && { orcid }) } };
  }
  if (raw['license'] !== undefined && raw['licence'] !== undefined) throw bad('licence', "and 'license' are the same setting: keep one");
  const license = raw['license'] ?? raw['licence'];
  if (license !== undefined) {
    const field = raw['license'] !== undefined ? 'license' : 'licence';
    if (typeof license !== 'string' || !isLicenseValue(license.trim()))
      throw bad(field, 'must be an SPDX licence identifier (e.g. "CC-BY-4.0", "CC0-1.0", "MIT") or the http(s) URL of a licence');
    config = { ...config, license: license.trim() };
  }
  if (raw['experiments'] !== undefined) {
    if (typeof raw['experiments'] !== 'string' || raw['experiments'] === '') throw bad('experiments', 'must be a path or URI string');
    config = { ...config, experiments: raw['experiments'] };
  }
  if (raw['plugins'] !== undefined) {
    const plugins = raw['plugins'];
    if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === 'string' && p !== '')) throw bad('plugins', 'must be an array of package names or paths');
    config = { ...config, plugins: plugins as string[] };
  }
  if (raw['import'] !== undefined) {
    const imp = raw['import'];
    if (!isRecord(imp)) throw bad('import', 'must be an object');
    const mode = imp['mode'] ?? config.import.mode;
    if (mode !== 'copy' && mode !== 'reference') throw bad('import.mode', "must be 'copy' or 'reference'");
    const batchSize = positiveInt(imp['batchSize'] ?? config.import.batchSize, () => bad('import.batchSize', 'must be a positive integer'));
    const concurrency = positiveInt(imp['concurrency'] ?? config.import.concurrency, () => bad('import.concurrency', 'must be a positive integer'));
    const roots = imp['roots'] === undefined ? config.import.roots : importRoots(imp['roots'], bad);
    config = { ...config, import: { mode, batchSize, concurrency, ...(roots !== undefined && { roots }) } };
  }
  if (raw['tools'] !== undefined) {
    const tools = raw['tools'];
    const dirs = isRecord(tools) ? (tools['dirs'] ?? []) : undefined;
    if (!Array.isArray(dirs) || !dirs.every((d) => typeof d === 'string'))
      throw bad('tools.dirs', "must be an array of folder paths or package folders ('@scope/package/tools')");
    config = { ...config, tools: { dirs: dirs as string[] } };
  }
  if (raw['env'] !== undefined) {
    // v1's config writes a list of {name, value}; the native form is an object.
    const given = raw['env'];
    const env =
      Array.isArray(given) && given.every((e) => isRecord(e) && typeof e['name'] === 'string')
        ? Object.fromEntries(given.map((e: Record<string, unknown>) => [e['name'], e['value']]))
        : given;
    if (!isRecord(env) || !Object.values(env).every((v) => typeof v === 'string'))
      throw bad('env', 'must be an object of string values (e.g. {"python": "/usr/bin/python3"})');
    config = { ...config, env: { ...config.env, ...(env as Record<string, string>) } };
  }
  if (raw['settings'] !== undefined) {
    const given = raw['settings'];
    if (!isRecord(given)) throw bad('settings', 'must be an object of plugin settings by variable name (e.g. {"BIOIMAGEIT_SLURM_PARTITION": "gpu"})');
    const settings: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) {
      if (!SETTING_NAME.test(name)) throw bad(`settings.${name}`, 'is not a setting name (upper-case letters, digits and _, as the environment variable)');
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
        throw bad(`settings.${name}`, 'must be a string, number or boolean');
      settings[name] = String(value);
    }
    config = { ...config, settings };
  }
  return config;
}

/** Names of plugin settings: those of environment variables. */
export const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * The variables a plugin reads its settings from: `env` (default process.env), with the
 * configuration's {@link KernelConfig.settings} filling the names `env` leaves unset or empty.
 */
export function settingsEnvironment(
  config: Pick<KernelConfig, 'settings'> | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  for (const [name, value] of Object.entries(config?.settings ?? {})) if (merged[name] === undefined || merged[name] === '') merged[name] = value;
  return merged;
}

/** Applies the {@link ENV_OVERRIDES} found in `env`. Throws ConfigError INVALID naming the variable. */
export function applyEnvOverrides(config: KernelConfig, env: NodeJS.ProcessEnv, delimiter: string): KernelConfig {
  const patch: Record<string, unknown> = {};
  const get = (name: keyof typeof ENV_OVERRIDES) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const user = get('BIOIMAGEIT_USER');
  if (user !== undefined) patch['user'] = { name: user };
  const experiments = get('BIOIMAGEIT_EXPERIMENTS');
  if (experiments !== undefined) patch['experiments'] = experiments;
  const plugins = get('BIOIMAGEIT_PLUGINS');
  if (plugins !== undefined)
    patch['plugins'] = plugins
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  const imp: Record<string, unknown> = {};
  const mode = get('BIOIMAGEIT_IMPORT_MODE');
  if (mode !== undefined) imp['mode'] = mode;
  const batch = get('BIOIMAGEIT_IMPORT_BATCH_SIZE');
  if (batch !== undefined) imp['batchSize'] = Number(batch);
  const concurrency = get('BIOIMAGEIT_IMPORT_CONCURRENCY');
  if (concurrency !== undefined) imp['concurrency'] = Number(concurrency);
  if (Object.keys(imp).length > 0) patch['import'] = imp;
  const toolDirs = get('BIOIMAGEIT_TOOL_DIRS');
  if (toolDirs !== undefined) patch['tools'] = { dirs: toolDirs.split(delimiter).filter((d) => d !== '') };
  return mergeConfig(config, patch, 'environment (BIOIMAGEIT_* variables)');
}

function positiveInt(value: unknown, fail: () => ConfigError): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw fail();
  return value;
}

/** Names of import roots: what clients of the REST API send (letters, digits, `_`, `.`, `-`). */
export const IMPORT_ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Validates `import.roots`: an object of folder paths by root name. */
function importRoots(value: unknown, bad: (field: string, why: string) => ConfigError): Readonly<Record<string, string>> {
  if (!isRecord(value)) throw bad('import.roots', 'must be an object of folder paths by name (e.g. {"microscope1": "/data/microscope1"})');
  const roots: Record<string, string> = {};
  for (const [name, path] of Object.entries(value)) {
    if (!IMPORT_ROOT_NAME.test(name)) throw bad(`import.roots.${name}`, 'is not a root name (letters, digits, _, . and -; at most 64)');
    if (typeof path !== 'string' || path.trim() === '') throw bad(`import.roots.${name}`, 'must be a folder path');
    roots[name] = path;
  }
  return roots;
}

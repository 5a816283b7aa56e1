import semver from 'semver';
import { PluginError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';
import { validateCapabilityProbes, type CapabilityProbeSpec } from './capability-probe-spec.js';
import { validateRunnerDeclaration, type RunnerDeclaration } from './runner-declaration.js';

/**
 * A capability a plugin may require of the machine (`requires`), checked before its code is
 * imported. The list is open: any lower-case name (`docker`, `cuda`, `apptainer`); how one is probed
 * is declared by the plugin that requires it (`probes`), core only evaluates the declaration.
 */
export type Capability = string;

/** What a capability name looks like: lower-case letters, digits and `-`. */
export const CAPABILITY_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** What a plugin contributes, declared so the kernel can route requests without running plugin code. */
export interface PluginContributes {
  readonly storage?: readonly { readonly scheme: string }[];
  /** Runners, each with the tool requirements it satisfies (see {@link RunnerDeclaration}). */
  readonly runners?: readonly RunnerDeclaration[];
  readonly formats?: readonly { readonly id: string; readonly extensions?: readonly string[] }[];
  readonly toolSources?: readonly { readonly id: string }[];
  /** True when the plugin taps kernel hooks (activated eagerly at kernel start). */
  readonly hooks?: boolean;
  /** Commands for the host's command line (see {@link CommandDeclaration}), listed without loading their code. */
  readonly commands?: readonly CommandDeclaration[];
}

/**
 * A command a plugin contributes (`bioimageit NAME`): its `summary` is what `--help` lists, and
 * `module` (a subpath export of the package, or a file relative to a folder plugin) is imported only
 * when the command runs; it default-exports a CommandDescription named `name`.
 */
export interface CommandDeclaration {
  readonly name: string;
  readonly summary: string;
  readonly module: string;
}

/**
 * The `bioimageit` field of a plugin's package.json.
 *
 * ```json
 * "bioimageit": { "id": "local-fs", "engines": { "core": "^0.1.0" }, "module": "./module",
 *                 "contributes": { "storage": [{ "scheme": "file" }] }, "requires": [] }
 * ```
 * `module` is a subpath export of the package whose default export is an inversify ContainerModule
 * holding only bindings. A runner plugin says which tool requirements its runner satisfies and how
 * the capability it requires is probed, so the kernel can choose it and report it unavailable
 * without knowing it by name:
 *
 * ```json
 * "bioimageit": { "id": "docker-runner", "engines": { "core": "^0.1.0" }, "module": "./module",
 *   "contributes": { "runners": [{ "id": "docker", "satisfies": ["docker"], "priority": 20 }] },
 *   "requires": ["docker"],
 *   "probes": { "docker": { "anyOf": [{ "env": "DOCKER_HOST", "matches": "^(?!unix://)" },
 *                                     { "file": "/var/run/docker.sock", "fromEnv": { "name": "DOCKER_HOST", "prefix": "unix://" } }],
 *                           "reason": "no Docker Engine socket at {file}", "fix": "start dockerd or set DOCKER_HOST" } } }
 * ```
 */
export interface PluginManifest {
  readonly id: string;
  readonly engines: { readonly core: string };
  readonly module: string;
  readonly contributes: PluginContributes;
  readonly requires: readonly Capability[];
  /**
   * How each required capability is probed (see {@link CapabilityProbeSpec}), by capability name;
   * every key must be listed in `requires`. A required capability without a probe is assumed
   * present (the plugin checks it when it activates). Optional; default none.
   */
  readonly probes: Readonly<Record<Capability, CapabilityProbeSpec>>;
  /**
   * Names of the settings (environment variables) the plugin reads, which a workspace may also
   * give in its config's `settings` (see KernelConfig.settings). Optional; default none.
   */
  readonly settings: readonly string[];
}

/** A manifest plus where it came from. */
export interface PluginDescriptor {
  readonly manifest: PluginManifest;
  /** npm package name. */
  readonly packageName: string;
  readonly version: string;
  /** Folder holding the package.json. */
  readonly directory: string;
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const KEY = /^[a-z][a-z0-9+.-]*$/;
const SETTING = /^[A-Z][A-Z0-9_]*$/;

/**
 * Validates the raw `bioimageit` field of `packageName`'s package.json and checks it against the
 * running core version. Throws PluginError BAD_MANIFEST (naming the package and the field) or
 * ENGINE_MISMATCH. Runs before any plugin code is imported.
 */
export function validatePluginManifest(raw: unknown, packageName: string, coreVersion: string): PluginManifest {
  const bad = (field: string, why: string): PluginError =>
    new PluginError('BAD_MANIFEST', `plugin package '${packageName}': manifest field 'bioimageit.${field}' ${why}`, {
      details: { package: packageName, field },
    });
  if (!isRecord(raw)) throw bad('', 'is missing (package.json needs a "bioimageit" object)');
  const { id, engines, module, contributes, requires, settings, probes } = raw;
  if (typeof id !== 'string' || !ID.test(id)) throw bad('id', 'must be a lower-case kebab-case string');
  if (!isRecord(engines) || typeof engines['core'] !== 'string') throw bad('engines.core', 'must be a semver range string');
  const range = engines['core'];
  if (semver.validRange(range) === null) throw bad('engines.core', `'${range}' is not a valid semver range`);
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new PluginError('ENGINE_MISMATCH', `plugin '${id}' (${packageName}) needs @bioimageit/core ${range}, but this is core ${coreVersion}`, {
      details: { plugin: id, package: packageName, range, coreVersion },
    });
  }
  if (typeof module !== 'string' || !module.startsWith('./')) throw bad('module', "must be a subpath export such as './module'");
  const req = requires ?? [];
  if (!Array.isArray(req)) throw bad('requires', 'must be an array of capability names');
  req.forEach((r: unknown, i) => {
    if (typeof r !== 'string' || !CAPABILITY_NAME.test(r)) throw bad(`requires[${i}]`, 'must be a capability name (lower-case letters, digits and -)');
  });
  const names = settings ?? [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && SETTING.test(n))) {
    throw bad('settings', 'must list setting names (environment variable names: upper-case letters, digits and _)');
  }
  return {
    id,
    engines: { core: range },
    module,
    contributes: validateContributes(contributes, bad),
    requires: req as string[],
    probes: validateCapabilityProbes(probes, req as string[], bad),
    settings: names as string[],
  };
}

function validateContributes(raw: unknown, bad: (field: string, why: string) => PluginError): PluginContributes {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw bad('contributes', 'must be an object');
  const known = new Set(['storage', 'runners', 'formats', 'toolSources', 'hooks', 'commands']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(`contributes.${key}`, `is not a known contribution (${[...known].join(', ')})`);
  const keyed = (field: 'storage' | 'formats' | 'toolSources', prop: 'scheme' | 'id') => {
    const list = raw[field];
    if (list === undefined) return undefined;
    if (!Array.isArray(list)) throw bad(`contributes.${field}`, 'must be an array');
    list.forEach((entry, i) => {
      if (!isRecord(entry) || typeof entry[prop] !== 'string' || !KEY.test(entry[prop])) {
        throw bad(`contributes.${field}[${i}].${prop}`, 'must be a lower-case identifier');
      }
    });
    return list as { scheme: string; id: string }[];
  };
  const runners = raw['runners'];
  if (runners !== undefined && !Array.isArray(runners)) throw bad('contributes.runners', 'must be an array');
  const hooks = raw['hooks'];
  if (hooks !== undefined && typeof hooks !== 'boolean') throw bad('contributes.hooks', 'must be a boolean');
  return {
    ...(keyed('storage', 'scheme') && { storage: keyed('storage', 'scheme') }),
    ...(runners !== undefined && { runners: runners.map((r: unknown, i) => validateRunnerDeclaration(r, `contributes.runners[${i}]`, bad)) }),
    ...(keyed('formats', 'id') && { formats: keyed('formats', 'id') }),
    ...(keyed('toolSources', 'id') && { toolSources: keyed('toolSources', 'id') }),
    ...(hooks !== undefined && { hooks }),
    ...(raw['commands'] !== undefined && { commands: validateCommands(raw['commands'], bad) }),
  };
}

function validateCommands(raw: unknown, bad: (field: string, why: string) => PluginError): CommandDeclaration[] {
  if (!Array.isArray(raw)) throw bad('contributes.commands', 'must be an array');
  const seen = new Set<string>();
  return raw.map((entry: unknown, i) => {
    const at = `contributes.commands[${i}]`;
    if (!isRecord(entry)) throw bad(at, 'must be an object with name, summary and module');
    const { name, summary, module } = entry;
    if (typeof name !== 'string' || !ID.test(name)) throw bad(`${at}.name`, 'must be a lower-case kebab-case word');
    if (seen.has(name)) throw bad(`${at}.name`, `'${name}' is declared twice`);
    seen.add(name);
    if (typeof summary !== 'string' || summary.trim() === '' || summary.includes('\n')) throw bad(`${at}.summary`, 'must be one non-empty line');
    if (typeof module !== 'string' || !module.startsWith('./'))
      throw bad(`${at}.module`, "must be a subpath export such as './cli' (or a file relative to a folder plugin)");
    for (const key of Object.keys(entry))
      if (!['name', 'summary', 'module'].includes(key)) throw bad(`${at}.${key}`, 'is not a known field (name, summary, module)');
    return { name, summary, module };
  });
}

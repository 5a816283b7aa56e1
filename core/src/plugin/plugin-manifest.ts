import semver from 'semver';
import { PluginError } from '../errors/area-errors.js';
import { isRecord } from '../util/is-record.js';

/** Capabilities a plugin may require of the machine; checked before its code is imported. */
export const KNOWN_CAPABILITIES = ['docker', 'cuda', 'network', 'fftw', 'slurm', 'conda'] as const;
export type Capability = (typeof KNOWN_CAPABILITIES)[number];

/** What a plugin contributes, declared so the kernel can route requests without running plugin code. */
export interface PluginContributes {
  readonly storage?: readonly { readonly scheme: string }[];
  readonly runners?: readonly { readonly id: string }[];
  readonly formats?: readonly { readonly id: string; readonly extensions?: readonly string[] }[];
  readonly toolSources?: readonly { readonly id: string }[];
  /** True when the plugin taps kernel hooks (activated eagerly at kernel start). */
  readonly hooks?: boolean;
}

/**
 * The `bioimageit` field of a plugin's package.json.
 *
 * ```json
 * "bioimageit": { "id": "local-fs", "engines": { "core": "^0.1.0" }, "module": "./module",
 *                 "contributes": { "storage": [{ "scheme": "file" }] }, "requires": [] }
 * ```
 * `module` is a subpath export of the package whose default export is an inversify ContainerModule
 * holding only bindings.
 */
export interface PluginManifest {
  readonly id: string;
  readonly engines: { readonly core: string };
  readonly module: string;
  readonly contributes: PluginContributes;
  readonly requires: readonly Capability[];
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
  const { id, engines, module, contributes, requires, settings } = raw;
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
  if (!Array.isArray(req) || !req.every((r): r is Capability => (KNOWN_CAPABILITIES as readonly unknown[]).includes(r))) {
    throw bad('requires', `must list capabilities among ${KNOWN_CAPABILITIES.join(', ')}`);
  }
  const names = settings ?? [];
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && SETTING.test(n))) {
    throw bad('settings', 'must list setting names (environment variable names: upper-case letters, digits and _)');
  }
  return { id, engines: { core: range }, module, contributes: validateContributes(contributes, bad), requires: req, settings: names as string[] };
}

function validateContributes(raw: unknown, bad: (field: string, why: string) => PluginError): PluginContributes {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw bad('contributes', 'must be an object');
  const known = new Set(['storage', 'runners', 'formats', 'toolSources', 'hooks']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw bad(`contributes.${key}`, `is not a known contribution (${[...known].join(', ')})`);
  const keyed = (field: 'storage' | 'runners' | 'formats' | 'toolSources', prop: 'scheme' | 'id') => {
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
  const hooks = raw['hooks'];
  if (hooks !== undefined && typeof hooks !== 'boolean') throw bad('contributes.hooks', 'must be a boolean');
  return {
    ...(keyed('storage', 'scheme') && { storage: keyed('storage', 'scheme') }),
    ...(keyed('runners', 'id') && { runners: keyed('runners', 'id') }),
    ...(keyed('formats', 'id') && { formats: keyed('formats', 'id') }),
    ...(keyed('toolSources', 'id') && { toolSources: keyed('toolSources', 'id') }),
    ...(hooks !== undefined && { hooks }),
  };
}

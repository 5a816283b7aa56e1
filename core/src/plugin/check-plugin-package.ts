import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBioImageItError } from '../errors/bioimageit-error.js';
import { isRecord } from '../util/is-record.js';
import { PLUGIN_MANIFEST_SCHEMA } from './plugin-manifest-schema.js';
import { validatePluginManifest } from './plugin-manifest.js';

/** One problem of a plugin package: the field it is about (`bioimageit.contributes.runners[0].id`) and why. */
export interface PluginPackageProblem {
  readonly field: string;
  readonly message: string;
}

/** What {@link checkPluginPackage} found. */
export interface PluginPackageCheck {
  readonly directory: string;
  readonly packageName?: string;
  readonly id?: string;
  readonly problems: readonly PluginPackageProblem[];
  /** Not errors, but likely mistakes (a missing peer dependency on @bioimageit/core). */
  readonly warnings: readonly PluginPackageProblem[];
}

/**
 * Checks the plugin package in `directory` without importing its code: its package.json, every
 * problem of its `bioimageit` manifest against the published schema (each with its field path),
 * then the kernel's own validation against `coreVersion` (engine range, probes), and that the
 * `module` subpath is exported and its file exists.
 */
export async function checkPluginPackage(directory: string, coreVersion: string): Promise<PluginPackageCheck> {
  const problems: PluginPackageProblem[] = [];
  const warnings: PluginPackageProblem[] = [];
  let pkg: unknown;
  try {
    pkg = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
  } catch (error) {
    return { directory, problems: [{ field: 'package.json', message: `cannot be read: ${(error as Error).message}` }], warnings };
  }
  if (!isRecord(pkg)) return { directory, problems: [{ field: 'package.json', message: 'must hold a JSON object' }], warnings };
  const packageName = typeof pkg['name'] === 'string' ? pkg['name'] : undefined;
  if (packageName === undefined) problems.push({ field: 'name', message: 'must be the npm package name' });
  if (pkg['type'] !== 'module') warnings.push({ field: 'type', message: "should be 'module' (the kernel imports the plugin as an ES module)" });
  const manifest = pkg['bioimageit'];
  if (manifest === undefined) problems.push({ field: 'bioimageit', message: 'is missing (package.json needs a "bioimageit" object)' });
  else problems.push(...schemaProblems(manifest, PLUGIN_MANIFEST_SCHEMA, 'bioimageit'));
  if (manifest !== undefined && problems.length === 0) {
    try {
      validatePluginManifest(manifest, packageName ?? directory, coreVersion);
    } catch (error) {
      if (!isBioImageItError(error)) throw error;
      const field = (error.details as { field?: string } | undefined)?.field;
      problems.push({ field: field === undefined ? 'bioimageit.engines.core' : `bioimageit${field === '' ? '' : `.${field}`}`, message: error.message });
    }
  }
  const id = isRecord(manifest) && typeof manifest['id'] === 'string' ? manifest['id'] : undefined;
  const module = isRecord(manifest) ? manifest['module'] : undefined;
  if (typeof module === 'string' && module.startsWith('./')) {
    const target = exportTarget(pkg['exports'], module);
    if (target === undefined)
      problems.push({ field: `exports["${module}"]`, message: `must export the manifest's module '${module}' (an "import" or "default" file)` });
    else if (!existsSync(join(directory, target))) {
      problems.push({ field: `exports["${module}"]`, message: `names ${target}, which does not exist (build the plugin first?)` });
    }
  }
  const peers = isRecord(pkg['peerDependencies']) ? pkg['peerDependencies'] : {};
  for (const name of ['@bioimageit/core', 'inversify']) {
    if (peers[name] === undefined)
      warnings.push({ field: `peerDependencies["${name}"]`, message: 'should be a peer dependency (the host provides its one copy)' });
  }
  return { directory, ...(packageName !== undefined && { packageName }), ...(id !== undefined && { id }), problems, warnings };
}

function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (!isRecord(exports)) return undefined;
  const entry = exports[subpath];
  if (typeof entry === 'string') return entry;
  if (!isRecord(entry)) return undefined;
  for (const key of ['import', 'default']) if (typeof entry[key] === 'string') return entry[key];
  return undefined;
}

type Schema = Readonly<Record<string, unknown>>;

/** Every problem of `value` against the subset of JSON Schema the plugin manifest schema uses. */
export function schemaProblems(value: unknown, schema: Schema, at: string): PluginPackageProblem[] {
  const out: PluginPackageProblem[] = [];
  const oneOf = schema['oneOf'] as readonly Schema[] | undefined;
  if (oneOf !== undefined) {
    const results = oneOf.map((s) => schemaProblems(value, s, at));
    if (results.some((r) => r.length === 0)) return [];
    return results.reduce((best, r) => (r.length < best.length ? r : best));
  }
  const enumeration = schema['enum'] as readonly unknown[] | undefined;
  if (enumeration !== undefined && !enumeration.includes(value))
    out.push({ field: at, message: `must be one of ${enumeration.map((e) => JSON.stringify(e)).join(', ')}` });
  const type = schema['type'];
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  if (type !== undefined && actual !== type) return [...out, { field: at, message: `must be ${type === 'array' || type === 'object' ? 'an' : 'a'} ${type}` }];
  if (typeof value === 'string') {
    const pattern = schema['pattern'];
    if (typeof pattern === 'string' && !new RegExp(pattern, 'u').test(value)) out.push({ field: at, message: `'${value}' must match ${pattern}` });
    const minLength = schema['minLength'];
    if (typeof minLength === 'number' && value.length < minLength) out.push({ field: at, message: 'must not be empty' });
  }
  if (Array.isArray(value)) {
    const minItems = schema['minItems'];
    if (typeof minItems === 'number' && value.length < minItems) out.push({ field: at, message: `must have at least ${minItems} item(s)` });
    const items = schema['items'] as Schema | undefined;
    if (items !== undefined) value.forEach((v: unknown, i) => out.push(...schemaProblems(v, items, `${at}[${i}]`)));
  }
  if (isRecord(value)) {
    for (const key of (schema['required'] as readonly string[] | undefined) ?? []) {
      if (value[key] === undefined) out.push({ field: `${at}.${key}`, message: 'is required' });
    }
    const properties = (schema['properties'] as Readonly<Record<string, Schema>> | undefined) ?? {};
    const additional = schema['additionalProperties'] as boolean | Schema | undefined;
    for (const [key, v] of Object.entries(value)) {
      const sub = properties[key];
      if (sub !== undefined) out.push(...schemaProblems(v, sub, `${at}.${key}`));
      else if (additional === false) out.push({ field: `${at}.${key}`, message: `is not a known field (${Object.keys(properties).join(', ')})` });
      else if (typeof additional === 'object') out.push(...schemaProblems(v, additional, `${at}.${key}`));
    }
  }
  return out;
}

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PluginError } from '../errors/area-errors.js';
import { shareHostModulesWithPlugins, type HostModules } from './host-module-sharing.js';
import { validatePluginManifest, type PluginDescriptor } from './plugin-manifest.js';

/**
 * Finds a plugin's package.json by package name (node_modules lookup walking up from each base
 * folder, as Node resolves packages) or by a folder path (`./my-plugin`, `/opt/plugins/x`), then
 * validates its manifest. Never imports plugin code. Throws PluginError NOT_FOUND / BAD_MANIFEST /
 * ENGINE_MISMATCH.
 */
export async function readPluginDescriptor(spec: string, bases: readonly string[], coreVersion: string): Promise<PluginDescriptor> {
  const directory = locatePackage(spec, bases);
  if (directory === undefined) {
    throw new PluginError(
      'NOT_FOUND',
      `plugin '${spec}' is not installed (looked in node_modules above ${bases.join(', ')}); install it with 'npm install ${spec}'`,
      {
        details: { spec, bases },
      },
    );
  }
  const file = join(directory, 'package.json');
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new PluginError('BAD_MANIFEST', `plugin '${spec}': cannot read ${file}`, { cause, details: { spec, file } });
  }
  const packageName = typeof pkg['name'] === 'string' ? pkg['name'] : spec;
  const manifest = validatePluginManifest(pkg['bioimageit'], packageName, coreVersion);
  return { manifest, packageName, version: typeof pkg['version'] === 'string' ? pkg['version'] : '0.0.0', directory };
}

function locatePackage(spec: string, bases: readonly string[]): string | undefined {
  if (spec.startsWith('.') || isAbsolute(spec)) {
    for (const base of bases) {
      const dir = resolve(base, spec);
      if (existsSync(join(dir, 'package.json'))) return dir;
    }
    return undefined;
  }
  for (const base of bases) {
    let dir = resolve(base);
    for (;;) {
      const candidate = join(dir, 'node_modules', spec);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

/**
 * Imports the plugin's module export: the host's own module when `host.modules` names its
 * specifier (a plugin bundled with the host), else the bare specifier (so the host's export
 * conditions apply), then the file the package's `exports[module]` names (`import`/`default`).
 * The plugin's imports of `@bioimageit/core` and `inversify` resolve to the host's copies (see
 * {@link shareHostModulesWithPlugins}, given `host.shared`): a plugin in any folder needs neither
 * in its node_modules.
 */
export async function importPluginModule(descriptor: PluginDescriptor, host: HostModules = {}): Promise<unknown> {
  const { manifest, packageName, directory } = descriptor;
  const specifier = packageName + manifest.module.slice(1);
  const own = host.modules !== undefined && Object.prototype.hasOwnProperty.call(host.modules, specifier) ? host.modules[specifier] : undefined;
  if (own !== undefined) return own();
  shareHostModulesWithPlugins(host.shared);
  try {
    return await import(specifier);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
    const target = await exportTarget(directory, manifest.module);
    if (target === undefined) throw err;
    return import(pathToFileURL(join(directory, target)).href);
  }
}

async function exportTarget(directory: string, subpath: string): Promise<string | undefined> {
  const pkg = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
  const entry = pkg.exports?.[subpath];
  if (typeof entry === 'string') return entry;
  if (typeof entry === 'object' && entry !== null) {
    const conditions = entry as Record<string, unknown>;
    for (const key of ['import', 'default']) if (typeof conditions[key] === 'string') return conditions[key] as string;
  }
  return undefined;
}

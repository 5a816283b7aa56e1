import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors/area-errors.js';

/** This package's own folder: a package installed beside (or above) @bioimageit/core is found from here. */
const CORE_FOLDER = dirname(fileURLToPath(import.meta.url));

/**
 * True when a `tools.dirs` entry names a folder inside an installed npm package
 * (`@bioimageit/cli/tools`: a scoped package name, then a path inside the package) rather than a
 * folder path. A workspace folder whose name starts with `@` is written `./@name`.
 */
export function isPackageToolFolder(entry: string): boolean {
  return entry.startsWith('@');
}

/**
 * The `tools.dirs` of a configuration with every package entry (see {@link isPackageToolFolder})
 * replaced by the absolute path of that folder in the installed package, found as Node finds a
 * package: in the `node_modules` folders above the workspace, then above @bioimageit/core (so a
 * CLI installed globally finds its own tools), then Node's global folders. Folder paths are kept
 * as written (relative ones are read from the workspace). So a config names the tools shipped
 * with a package the same way on every machine. Throws ConfigError INVALID naming `source`, the
 * entry and where it looked when the package is not installed or the entry is malformed.
 */
export function resolveToolFolders(dirs: readonly string[], workspace: string, source: string, bases: readonly string[] = [workspace, CORE_FOLDER]): string[] {
  return dirs.map((entry) => (isPackageToolFolder(entry) ? packageFolder(entry, bases, source) : entry));
}

function packageFolder(entry: string, bases: readonly string[], source: string): string {
  const bad = (why: string, details: Record<string, unknown> = {}) =>
    new ConfigError('INVALID', `${source}: 'tools.dirs' entry '${entry}' ${why}`, { details: { source, field: 'tools.dirs', entry, ...details } });
  const [scope, name, ...rest] = entry.split('/');
  if (scope === undefined || scope.length < 2 || name === undefined || name === '')
    throw bad("names no package: write '@scope/package/folder' for a folder of an installed package, or './@...' for a folder of the workspace");
  if (rest.some((part) => part === '..')) throw bad("leaves its package ('..'): name a folder inside the package");
  const pkg = `${scope}/${name}`;
  const searched: string[] = [];
  for (const base of bases) {
    for (const modules of createRequire(join(base, 'bioimageit.config.json')).resolve.paths(pkg) ?? []) {
      if (searched.includes(modules)) continue;
      searched.push(modules);
      const root = join(modules, pkg);
      if (existsSync(join(root, 'package.json'))) return join(realpathSync(root), ...rest.filter((part) => part !== '' && part !== '.'));
    }
  }
  throw bad(
    `names package '${pkg}', which is not installed (looked in node_modules above ${bases.join(', ')} and Node's global folders); install it, or remove the entry`,
    {
      package: pkg,
      searched,
    },
  );
}

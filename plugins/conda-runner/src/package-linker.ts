import { chmod, copyFile, link, lstat, mkdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packagePaths, noarchPythonTarget, type PackagePath } from './package-paths.js';
import { fixLongShebang, MAX_SHEBANG, replacePrefix } from './prefix-replacement.js';

/** What linking one package put into the prefix (recorded in its `conda-meta` record). */
export interface LinkedPackage {
  /** Prefix-relative paths of every file placed, in package order. */
  readonly files: readonly string[];
  /** `paths_data.paths` of the record, with `_path` as placed in the prefix. */
  readonly paths: readonly PackagePath[];
}

/** How to link one package: where it is extracted, where it goes, and the prefix its files must name. */
export interface LinkRequest {
  /** The extracted package folder (with `info/`). */
  readonly source: string;
  /** Folder written into (a staging folder that will be renamed to `prefix`). */
  readonly target: string;
  /** The environment's final path: what placeholders are replaced with. */
  readonly prefix: string;
  /** `noarch` value of the package (`python` remaps paths and writes entry points). */
  readonly noarch?: string;
  /** `major.minor` of the environment's python, needed for `noarch: python` packages. */
  readonly pythonVersion?: string;
}

async function placeFile(from: string, to: string, copy: boolean): Promise<void> {
  await rm(to, { force: true });
  if (!copy) {
    try {
      await link(from, to);
      return;
    } catch {
      // another file system, or links not allowed: copy instead
    }
  }
  await copyFile(from, to);
}

/** The console script conda writes for a `noarch: python` entry point (`name = module:function`). */
function entryPointScript(prefix: string, entry: string): { name: string; text: string } | undefined {
  const match = /^\s*([^=\s]+)\s*=\s*([\w.]+)\s*:\s*([\w.]+)\s*$/.exec(entry);
  if (match === null) return undefined;
  const [, name, module, func] = match as unknown as [string, string, string, string];
  const head = func.split('.')[0] as string;
  const shebang = `#!${prefix}/bin/python`;
  const text = [
    shebang.length > MAX_SHEBANG ? '#!/usr/bin/env python' : shebang,
    '# -*- coding: utf-8 -*-',
    'import re',
    'import sys',
    '',
    `from ${module} import ${head}`,
    '',
    "if __name__ == '__main__':",
    "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])",
    `    sys.exit(${func}())`,
    '',
  ].join('\n');
  return { name, text };
}

/**
 * Places one extracted package's files into the target folder: hard links (copies across file
 * systems), symbolic links recreated, and files with a prefix placeholder rewritten (new file,
 * never the shared cached one) with the final prefix. `noarch: python` packages are remapped into
 * `lib/pythonX.Y/site-packages` and get their entry-point scripts. Throws the fs error, or an
 * Error naming the file whose binary placeholder is too short for the prefix.
 */
export async function linkPackage(request: LinkRequest): Promise<LinkedPackage> {
  const entries = await packagePaths(request.source);
  const python = request.noarch === 'python';
  if (python && request.pythonVersion === undefined) throw new Error(`${request.source}: a noarch python package needs python in the environment`);
  const placed: PackagePath[] = [];
  const made = new Set<string>();
  for (const entry of entries) {
    const relative = python ? noarchPythonTarget(entry._path, request.pythonVersion as string) : entry._path;
    const from = path.join(request.source, entry._path);
    const to = path.join(request.target, relative);
    if (!to.startsWith(request.target + path.sep) || !from.startsWith(request.source + path.sep)) {
      throw new Error(`${path.basename(request.source)} lists a file outside the environment: '${entry._path}'`);
    }
    if (entry.path_type === 'directory') {
      await mkdir(to, { recursive: true });
      placed.push({ ...entry, _path: relative });
      continue;
    }
    const dir = path.dirname(to);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    const info = await lstat(from);
    if (info.isSymbolicLink() || entry.path_type === 'softlink') {
      await rm(to, { force: true });
      await symlink(await readlink(from), to);
    } else if (entry.prefix_placeholder !== undefined) {
      const content = await readFile(from);
      let replaced: Buffer;
      try {
        const mode = entry.file_mode ?? 'text';
        replaced = replacePrefix(content, entry.prefix_placeholder, request.prefix, mode);
        if (mode === 'text') replaced = fixLongShebang(replaced, request.prefix);
      } catch (e) {
        throw new Error(`${entry._path} in ${path.basename(request.source)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      await rm(to, { force: true });
      await writeFile(to, replaced);
      await chmod(to, info.mode & 0o7777);
    } else {
      await placeFile(from, to, entry.no_link === true);
    }
    placed.push({ ...entry, _path: relative });
  }
  if (python) placed.push(...(await writeEntryPoints(request)));
  return { files: placed.filter((p) => p.path_type !== 'directory').map((p) => p._path), paths: placed };
}

async function writeEntryPoints(request: LinkRequest): Promise<PackagePath[]> {
  const linkJson = await readFile(path.join(request.source, 'info', 'link.json'), 'utf8').catch(() => undefined);
  if (linkJson === undefined) return [];
  const points = (JSON.parse(linkJson) as { noarch?: { entry_points?: string[] } }).noarch?.entry_points ?? [];
  const written: PackagePath[] = [];
  for (const point of points) {
    const script = entryPointScript(request.prefix, point);
    if (script === undefined) continue;
    const relative = `bin/${script.name}`;
    const to = path.join(request.target, relative);
    await mkdir(path.dirname(to), { recursive: true });
    await writeFile(to, script.text, { mode: 0o755 });
    written.push({ _path: relative, path_type: 'hardlink', size_in_bytes: (await stat(to)).size });
  }
  return written;
}

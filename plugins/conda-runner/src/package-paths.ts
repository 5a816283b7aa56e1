import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LEGACY_PLACEHOLDER, type PrefixFileMode } from './prefix-replacement.js';

/** One file of a package, as `info/paths.json` describes it (conda's `paths_data`). */
export interface PackagePath {
  /** Path inside the package (and, unless remapped for noarch python, inside the prefix). */
  readonly _path: string;
  readonly path_type: 'hardlink' | 'softlink' | 'directory';
  readonly prefix_placeholder?: string;
  readonly file_mode?: PrefixFileMode;
  readonly no_link?: boolean;
  readonly sha256?: string;
  readonly size_in_bytes?: number;
}

const readText = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

/** Splits an `info/has_prefix` line: `placeholder mode path`, or just `path` (legacy placeholder, text). */
function hasPrefixLine(line: string): { path: string; placeholder: string; mode: PrefixFileMode } {
  const quoted = line.match(/"[^"]*"|\S+/g)?.map((w) => w.replace(/^"|"$/g, '')) ?? [];
  if (quoted.length >= 3) return { placeholder: quoted[0] as string, mode: quoted[1] === 'binary' ? 'binary' : 'text', path: quoted.slice(2).join(' ') };
  return { path: line.trim(), placeholder: LEGACY_PLACEHOLDER, mode: 'text' };
}

/**
 * The files of an extracted package: `info/paths.json` (conda-build 3), else the older
 * `info/files` with `info/has_prefix` and `info/no_link`.
 */
export async function packagePaths(folder: string): Promise<PackagePath[]> {
  const json = await readText(path.join(folder, 'info', 'paths.json'));
  if (json !== undefined) return (JSON.parse(json) as { paths?: PackagePath[] }).paths ?? [];
  const files = (await readText(path.join(folder, 'info', 'files')))?.split(/\r?\n/).filter((l) => l.trim() !== '') ?? [];
  const prefixed = new Map<string, { placeholder: string; mode: PrefixFileMode }>();
  for (const line of (await readText(path.join(folder, 'info', 'has_prefix')))?.split(/\r?\n/) ?? []) {
    if (line.trim() === '') continue;
    const entry = hasPrefixLine(line);
    prefixed.set(entry.path, entry);
  }
  const noLink = new Set((await readText(path.join(folder, 'info', 'no_link')))?.split(/\r?\n/).filter((l) => l !== '') ?? []);
  return files.map((file) => {
    const p = prefixed.get(file);
    return {
      _path: file,
      path_type: 'hardlink',
      ...(p !== undefined && { prefix_placeholder: p.placeholder, file_mode: p.mode }),
      ...(noLink.has(file) && { no_link: true }),
    };
  });
}

/**
 * Where a `noarch: python` package's file goes in the prefix: `site-packages/x` →
 * `lib/pythonX.Y/site-packages/x` (`Lib/site-packages` on Windows), `python-scripts/x` → `bin/x`.
 */
export function noarchPythonTarget(file: string, pythonVersion: string, platform: NodeJS.Platform = process.platform): string {
  const win = platform === 'win32';
  if (file.startsWith('site-packages/')) return win ? `Lib/${file}` : `lib/python${pythonVersion}/${file}`;
  if (file.startsWith('python-scripts/')) return `${win ? 'Scripts' : 'bin'}/${file.slice('python-scripts/'.length)}`;
  return file;
}

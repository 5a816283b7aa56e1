import { opendir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { QueryError, StorageError } from '../errors/area-errors.js';

/** Which files of a folder to import. */
export interface FileSelection {
  /** Walk sub-folders too (v1 did not). */
  readonly recursive?: boolean;
  /** Glob on the path relative to the root (`**\/*.tif`, `plate1/*.tif`). */
  readonly glob?: string;
  /** Regular expression searched in the file name (v1's `filter_`, e.g. `\.tif$`). */
  readonly regex?: string;
  /** Include dot-files and dot-folders (skipped by default). */
  readonly hidden?: boolean;
}

/** A file found by the walker. */
export interface FoundFile {
  readonly path: string;
  /** POSIX-style path relative to the root. */
  readonly relativePath: string;
  readonly name: string;
}

/**
 * Lists the files under `root` matching the selection, sorted by relative path so imports are
 * deterministic. `root` may also be a single file. Throws StorageError NOT_FOUND when `root` is
 * missing and QueryError BAD_REGEX for a bad filter.
 */
export async function walkFiles(root: string, selection: FileSelection = {}): Promise<FoundFile[]> {
  const found = await walkRelativePaths(root, selection);
  return found.relativePaths.map((rel) => foundFile(found.base, rel));
}

/**
 * What {@link walkRelativePaths} found: the folder the paths are relative to (`root`, or the
 * folder of `root` when it is a file) and the files' relative paths (POSIX style), sorted.
 */
export interface FoundPaths {
  readonly base: string;
  readonly relativePaths: readonly string[];
}

/**
 * {@link walkFiles} holding one string per file: a folder of a million files costs some 60 MB
 * this way, against several hundred as FoundFile objects. See {@link foundFile} for each one.
 */
export async function walkRelativePaths(root: string, selection: FileSelection = {}): Promise<FoundPaths> {
  let info;
  try {
    info = await stat(root);
  } catch (cause) {
    throw new StorageError('NOT_FOUND', `cannot import '${root}': no such file or folder`, { cause, details: { path: root } });
  }
  const accept = compileFilter(selection);
  if (info.isFile()) {
    const name = basename(root);
    return { base: dirname(root), relativePaths: accept(name, name) ? [name] : [] };
  }
  const found: string[] = [];
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const handle = await opendir(dir);
    for await (const entry of handle) {
      if (!selection.hidden && entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (selection.recursive) await visit(full, `${prefix}${entry.name}/`);
      } else if (entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile())) {
        const rel = `${prefix}${entry.name}`;
        if (accept(entry.name, rel)) found.push(rel);
      }
    }
  };
  await visit(root, '');
  return { base: root, relativePaths: found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/** The FoundFile of relative path `rel` (POSIX style) under `base`. */
export function foundFile(base: string, rel: string): FoundFile {
  return { path: join(base, ...rel.split('/')), relativePath: rel, name: rel.slice(rel.lastIndexOf('/') + 1) };
}

function compileFilter(selection: FileSelection): (name: string, relativePath: string) => boolean {
  let re: RegExp | undefined;
  if (selection.regex !== undefined) {
    try {
      re = new RegExp(selection.regex, 'u');
    } catch (cause) {
      throw new QueryError('BAD_REGEX', `invalid file filter /${selection.regex}/: ${(cause as Error).message}`, {
        cause,
        details: { regex: selection.regex },
      });
    }
  }
  const glob = selection.glob === undefined ? undefined : picomatch(selection.glob, { dot: selection.hidden === true });
  return (name, rel) => (re === undefined || re.test(name)) && (glob === undefined || glob(rel));
}

import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { IMPORT_ROOT_NAME, walkFiles, type FileSelection } from '@bioimageit/core';
import { ApiError } from '../api-error.js';

/** A file or folder inside an import root, as a request named it and where it really is. */
export interface LocatedSource {
  /** The root's name. */
  readonly root: string;
  /** The path inside the root as the client gave it, normalized (`''`: the root itself). */
  readonly path: string;
  /** Its real absolute path on the server (symbolic links resolved): what the importer reads. */
  readonly absolute: string;
  readonly kind: 'file' | 'folder';
}

/**
 * The server-side folders the REST API may import from, by name (`serve --import-root
 * NAME=/path`, the workspace's `import.roots`). Clients name a root and a path inside it, never a
 * server path; {@link locate} and {@link checkFiles} make sure nothing outside a root is read:
 * no `..` segment, no absolute path, no symbolic link leading out (in the path itself or among
 * the files a folder import would read).
 */
export class ImportRoots {
  private constructor(private readonly roots: ReadonlyMap<string, string>) {}

  /**
   * Checks every root (name syntax, an existing folder; relative paths from `base`) and keeps
   * its real path. Throws ApiError BAD_REQUEST naming the root that is not usable.
   */
  static async resolve(given: Readonly<Record<string, string>>, base: string): Promise<ImportRoots> {
    const roots = new Map<string, string>();
    for (const [name, path] of Object.entries(given)) {
      if (!IMPORT_ROOT_NAME.test(name))
        throw new ApiError('BAD_REQUEST', `import root name '${name}' is not valid (letters, digits, _, . and -; at most 64)`, { details: { root: name } });
      const real = await realpath(resolve(base, path)).catch(() => undefined);
      if (real === undefined || !(await stat(real)).isDirectory())
        throw new ApiError('BAD_REQUEST', `import root '${name}': '${path}' is not an existing folder`, { details: { root: name } });
      roots.set(name, real);
    }
    return new ImportRoots(roots);
  }

  /** Root names, sorted. */
  names(): string[] {
    return [...this.roots.keys()].sort();
  }

  /** Every root with its real folder (for the server's path redactor; never sent to clients). */
  entries(): [string, string][] {
    return [...this.roots.entries()];
  }

  /**
   * The real location of `path` inside root `root`. Throws ApiError BAD_REQUEST for an unknown
   * root (listing the known ones) or an absolute path, FORBIDDEN for a `..` segment or a path
   * that a symbolic link leads out of the root (naming that link), NOT_FOUND when nothing is there.
   */
  async locate(root: string, path: string): Promise<LocatedSource> {
    const folder = this.roots.get(root);
    if (folder === undefined)
      throw new ApiError('BAD_REQUEST', `no import root '${root}' (import roots: ${this.names().join(', ') || 'none configured'})`, {
        details: { root, known: this.names() },
      });
    if (path.includes('\0') || path.includes('\\') || isAbsolute(path))
      throw new ApiError('BAD_REQUEST', `path '${path}' must be relative to import root '${root}' (forward slashes, no drive or leading /)`, {
        details: { root, path },
      });
    const segments = path.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.includes('..'))
      throw new ApiError('FORBIDDEN', `path '${path}' leaves import root '${root}' ('..' is not allowed)`, { details: { root, path } });
    const normalized = segments.join('/');
    const real = await realpath(join(folder, ...segments)).catch(() => undefined);
    if (real === undefined)
      throw new ApiError('NOT_FOUND', `no file or folder '${normalized}' in import root '${root}'`, { details: { root, path: normalized } });
    if (!inside(folder, real)) {
      const link = await escapingLink(folder, segments);
      throw new ApiError('FORBIDDEN', `path '${normalized}' of import root '${root}' leads outside it (symbolic link '${link}')`, {
        details: { root, path: normalized, link },
      });
    }
    const kind = (await stat(real)).isDirectory() ? 'folder' : 'file';
    return { root, path: normalized, absolute: real, kind };
  }

  /**
   * Lists the files an import of `source` with `selection` reads (core's file walker, as the
   * importer walks them) and throws ApiError FORBIDDEN naming the first one that is a symbolic
   * link leading out of the root. Returns how many files the selection holds.
   */
  async checkFiles(source: LocatedSource, selection: FileSelection): Promise<number> {
    const folder = this.roots.get(source.root) as string;
    const files = await walkFiles(source.absolute, selection);
    for (const file of files) {
      if (!(await lstat(file.path)).isSymbolicLink()) continue;
      const target = await realpath(file.path).catch(() => undefined);
      if (target === undefined || !inside(folder, target)) {
        const shown = [source.path, file.relativePath].filter((s) => s !== '').join('/');
        throw new ApiError('FORBIDDEN', `file '${shown}' of import root '${source.root}' is a symbolic link leading outside it: nothing was imported`, {
          details: { root: source.root, path: shown },
        });
      }
    }
    return files.length;
  }
}

function inside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** The first segment of `segments` (under `folder`) that is a symbolic link whose target leaves the folder, as a relative path. */
async function escapingLink(folder: string, segments: readonly string[]): Promise<string> {
  for (let i = 1; i <= segments.length; i++) {
    const here = join(folder, ...segments.slice(0, i));
    const info = await lstat(here).catch(() => undefined);
    if (info?.isSymbolicLink() !== true) continue;
    const target = await realpath(here).catch(() => undefined);
    if (target === undefined || !inside(folder, target)) return segments.slice(0, i).join('/');
  }
  return segments.join('/');
}

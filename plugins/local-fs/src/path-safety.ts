import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { hasControlCharacter, StorageError } from '@bioimageit/core';

/**
 * Converts a `file:` URI or a plain path (absolute, or relative to the working directory) into
 * an absolute local path. Other URI schemes reject with INVALID: they belong to other backends.
 */
export function toLocalPath(uriOrPath: string): string {
  if (uriOrPath.length === 0) throw new StorageError('INVALID', 'empty location', { details: { uri: uriOrPath } });
  if (/^file:/i.test(uriOrPath)) {
    try {
      return path.resolve(fileURLToPath(uriOrPath));
    } catch (error) {
      throw new StorageError('INVALID', `not a local file URI: '${uriOrPath}'`, { cause: error, details: { uri: uriOrPath } });
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(uriOrPath)) {
    throw new StorageError('INVALID', `the local file backend cannot open '${uriOrPath}'`, { details: { uri: uriOrPath } });
  }
  return path.resolve(uriOrPath);
}

/** The `file:` URI of an absolute local path. */
export function fileUri(absolutePath: string): string {
  return pathToFileURL(absolutePath).href;
}

/**
 * Checks a name that becomes one path segment (an experiment folder or an item file): not
 * empty, no `/`, `\`, NUL or other control characters, not `.`/`..` or made of dots only.
 * Throws StorageError INVALID naming what was rejected.
 */
export function assertValidName(name: string, what: string): void {
  const reason =
    typeof name !== 'string' || name.trim().length === 0
      ? 'it is empty'
      : /[/\\]/.test(name)
        ? 'it contains a path separator'
        : hasControlCharacter(name, { del: true })
          ? 'it contains a control character'
          : /^\.+$/.test(name.trim())
            ? 'it is made of dots only'
            : name.includes('..')
              ? "it contains '..'"
              : undefined;
  if (reason !== undefined) {
    throw new StorageError('INVALID', `invalid ${what} name ${JSON.stringify(name)}: ${reason}`, { details: { name } });
  }
}

/** True when `candidate` is `root` itself or lies below it. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Resolves a relative url stored in a metadata file (unix form, relative to `baseDir`) and
 * rejects with PATH_ESCAPE when the result leaves `root`. `file` names the metadata file.
 */
export function resolveInside(root: string, baseDir: string, url: string, file: string): string {
  const resolved = path.resolve(baseDir, url.split('/').join(path.sep));
  if (!isInside(root, resolved)) {
    throw new StorageError('PATH_ESCAPE', `'${url}' in '${file}' points outside the experiment folder '${root}'`, {
      details: { file, url, root },
    });
  }
  return resolved;
}

/** A path relative to `root` in unix form, as v1 stores urls. */
export function toUnixRelative(root: string, absolutePath: string): string {
  return path.relative(root, absolutePath).split(path.sep).join('/');
}

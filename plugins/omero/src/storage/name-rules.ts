import path from 'node:path';
import { StorageError } from '@bioimageit/core';

/**
 * Checks a user-given experiment, dataset or item name: not empty, no path separators, no NUL,
 * not `.` or `..`. INVALID names the culprit.
 */
export function checkName(name: string, what: string): void {
  if (name.trim() === '' || /[\\/]/.test(name) || name.includes('\0') || name === '.' || name === '..') {
    throw new StorageError(
      'INVALID',
      `invalid ${what} name '${name.replaceAll('\0', '\\0')}': it must be non-empty and contain no '/', '\\' or NUL, and not be '.' or '..'`,
      { details: { name } },
    );
  }
}

/**
 * `name` made unique against `taken` (which it then joins) the way local-fs does it:
 * `a.tif`, `a_1.tif`, `a_2.tif`.
 */
export function uniqueName(name: string, taken: Set<string>): string {
  const ext = path.extname(name);
  const stem = ext === '' ? name : name.slice(0, -ext.length);
  let candidate = name;
  for (let i = 1; taken.has(candidate); i++) candidate = `${stem}_${i}${ext}`;
  taken.add(candidate);
  return candidate;
}

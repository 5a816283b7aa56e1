import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { errnoCode, storageFailure } from './storage-failure.js';

/**
 * What identifies one version of a file cheaply: size, modification time and inode. Every
 * atomic rewrite (temp file + rename) gives a new inode, so a changed file is always noticed.
 */
export interface FileSignature {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** The signature of an already obtained `Stats`. */
export function signatureOf(stats: Stats): FileSignature {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
}

/** The signature of `file`, or undefined when it does not exist. */
export async function statSignature(file: string): Promise<FileSignature | undefined> {
  try {
    return signatureOf(await stat(file));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw storageFailure(error, 'stat', file);
  }
}

/** True when both signatures exist and describe the same file version. */
export function sameSignature(a: FileSignature | undefined, b: FileSignature | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { defaultTempPath, writeFileAtomic as coreWriteFileAtomic, type AtomicWriteOptions } from '@bioimageit/core';
import { isAbandoned, OWNER_STAMP, stampOf, STAMP_SOURCE } from './owner-stamp.js';
import { errnoCode } from './storage-failure.js';

/** `.<name>.<12 hex>[@<owner stamp>].tmp`; names without a stamp were made by earlier versions. */
const TEMP_NAME = new RegExp(`^\\..+\\.[0-9a-f]{12}(?:@${STAMP_SOURCE})?\\.tmp$`);

/**
 * The name of a fresh temporary file beside `file` (or in `dir`): core's {@link defaultTempPath}
 * (hidden, unique, ending in `.tmp`, within 255 bytes) stamped with this process (see OwnerStamp),
 * so that {@link sweepTempFiles} can tell one whose writer died.
 */
export function tempPathFor(file: string, dir: string = path.dirname(file)): string {
  return defaultTempPath(file, dir, `@${OWNER_STAMP}`);
}

/** True for names made by {@link tempPathFor}. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Core's {@link coreWriteFileAtomic} (flushed unless `fsync: false`; raw file-system errors,
 * callers wrap them into a StorageError) with the temporary file named by {@link tempPathFor}:
 * a process killed meanwhile leaves at most a hidden stamped `.tmp` file, removed by
 * {@link sweepTempFiles}.
 */
export function writeFileAtomicStamped(file: string, data: string | Uint8Array, options: Pick<AtomicWriteOptions, 'fsync'> = {}): Promise<void> {
  return coreWriteFileAtomic(file, data, { ...options, tempPath: (target) => tempPathFor(target) });
}

/**
 * Deletes the temporary files left in `dir` by writers that died: those stamped by a process of
 * this host that is gone, and those without a stamp of this host (earlier versions, other hosts)
 * unchanged for `ageMs`. Never one a live writer may still rename. Returns how many were removed.
 */
export async function sweepTempFiles(dir: string, ageMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null) continue;
    const file = path.join(dir, name);
    const info = await lstat(file).catch(() => undefined);
    if (info === undefined || !info.isFile() || !isAbandoned(stampOf(match, 1), info.mtimeMs, ageMs)) continue;
    await unlink(file).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from './storage-failure.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Flush the data to disk before the rename (default true). Caches such as the index skip it. */
  readonly fsync?: boolean;
}

const TEMP_NAME = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** The name of a fresh temporary file beside `file`: hidden, unique, ending in `.tmp`. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** True for names made by {@link tempPathFor}. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/**
 * Replaces `file` atomically: the data goes to a temporary file in the same folder, is flushed,
 * then renamed over `file`. Readers see the old or the new content, never a mix; a process
 * killed meanwhile leaves at most a hidden `.tmp` file, removed by {@link sweepTempFiles}.
 * Rejects with the raw file-system error (callers wrap it into a StorageError).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(file);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    if (options.fsync ?? true) await handle.datasync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Deletes the temporary files left in `dir` by writers that died. Call it only while holding
 * the experiment lock (every temporary file is written under it). Returns how many were removed.
 */
export async function sweepTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    if (!isTempFileName(name)) continue;
    await unlink(path.join(dir, name)).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isAbandoned, OWNER_STAMP, stampOf, STAMP_SOURCE } from './owner-stamp.js';
import { errnoCode } from './storage-failure.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Flush the data to disk before the rename (default true). Caches such as the index skip it. */
  readonly fsync?: boolean;
}

/** `.<name>.<12 hex>[@<owner stamp>].tmp`; names without a stamp were made by earlier versions. */
const TEMP_NAME = new RegExp(`^\\..+\\.[0-9a-f]{12}(?:@${STAMP_SOURCE})?\\.tmp$`);

/**
 * The name of a fresh temporary file beside `file` (or in `dir`): hidden, unique, stamped with
 * this process (see OwnerStamp), ending in `.tmp`.
 */
export function tempPathFor(file: string, dir: string = path.dirname(file)): string {
  const tail = `.${randomBytes(6).toString('hex')}@${OWNER_STAMP}.tmp`;
  return path.join(dir, `.${fitBytes(path.basename(file), MAX_NAME_BYTES - 1 - tail.length)}${tail}`);
}

/** The longest file name most file systems take. */
const MAX_NAME_BYTES = 255;

/** `name` cut (at a character boundary) to at most `max` bytes of UTF-8: a temporary name only needs to be unique. */
function fitBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  let cut = '';
  for (const char of name) {
    if (Buffer.byteLength(cut + char) > max) break;
    cut += char;
  }
  return cut;
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

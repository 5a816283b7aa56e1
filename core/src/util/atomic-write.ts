import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /**
   * Flush the data to disk (fdatasync) before the rename (default true), so that after a crash
   * the file holds the old or the new content. Caches and files that can be rebuilt skip it.
   */
  readonly fsync?: boolean;
  /**
   * The temporary file to write, given the target (default {@link defaultTempPath}). It must be
   * in the target's folder (the rename must not cross file systems) and must not exist yet. A
   * caller that sweeps the temporary files of dead writers stamps names here (local-fs does).
   */
  readonly tempPath?: (file: string) => string;
}

/** The longest file name most file systems take. */
const MAX_NAME_BYTES = 255;

/** `name` cut (at a character boundary) to at most `max` bytes of UTF-8. */
function fitNameBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  let cut = '';
  for (const char of name) {
    if (Buffer.byteLength(cut + char) > max) break;
    cut += char;
  }
  return cut;
}

/**
 * A fresh temporary name beside `file` (or in `dir`): `.<name>.<12 hex><tail>.tmp`, hidden and
 * unique, `<name>` cut so that the whole stays within 255 bytes. `tail` (default: `.` and this
 * process's pid) lets a writer mark its temporary files as its own.
 */
export function defaultTempPath(file: string, dir: string = path.dirname(file), tail = `.${process.pid}`): string {
  const end = `.${randomBytes(6).toString('hex')}${tail}.tmp`;
  return path.join(dir, `.${fitNameBytes(path.basename(file), MAX_NAME_BYTES - 1 - end.length)}${end}`);
}

/**
 * Replaces `file` atomically: the data (a string as UTF-8, bytes, or parts written one after the
 * other) goes to a new temporary file in the same folder (see {@link AtomicWriteOptions.tempPath}),
 * is flushed unless `fsync` is false, then renamed over `file`. Readers see the old content or the
 * complete new one, never a mix. On failure the temporary file is removed and the raw file-system
 * error is rethrown (callers wrap it in their own error type); a process killed meanwhile leaves at
 * most the hidden `.tmp` file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[], options: AtomicWriteOptions = {}): Promise<void> {
  const temp = (options.tempPath ?? defaultTempPath)(file);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(temp, 'wx');
    created = true;
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for (const part of data) await writeAll(handle, part);
    if (options.fsync ?? true) await handle.datasync();
    await handle.close();
    handle = undefined;
    await rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Writes every byte of `part` at the handle's current position (writes may be short). */
async function writeAll(handle: FileHandle, part: Uint8Array): Promise<void> {
  for (let done = 0; done < part.byteLength;) {
    const { bytesWritten } = await handle.write(part, done, part.byteLength - done);
    done += bytesWritten;
  }
}

import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ioFailure } from './format-failure.js';

/**
 * Writes `parts` one after the other to a temporary file in the folder of `path`, then renames it
 * over `path`, so readers see the old file or the complete new one, never a partial one. Throws
 * FormatError `IO` naming `path`; the temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx');
    let position = 0;
    for (const part of parts) {
      let done = 0;
      while (done < part.byteLength) {
        const { bytesWritten } = await handle.write(part, done, part.byteLength - done, position);
        done += bytesWritten;
        position += bytesWritten;
      }
    }
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw ioFailure(path, 'write file', error);
  }
}

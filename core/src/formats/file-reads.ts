import { open, readFile } from 'node:fs/promises';
import { ioFailure } from './format-failure.js';

/** The whole file at `path`. Throws FormatError `IO` naming it. */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw ioFailure(path, 'read file', error);
  }
}

/** At most the first `limit` bytes of the file at `path` (where a format's header is). Throws FormatError `IO` naming it. */
export async function readFileHead(path: string, limit: number): Promise<Uint8Array> {
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = new Uint8Array(limit);
      const { bytesRead } = await handle.read(buffer, 0, limit, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw ioFailure(path, 'read file', error);
  }
}

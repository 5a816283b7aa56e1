import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Files up to this size are read whole (one read; the bytes can then go to a format codec). */
export const WHOLE_READ_LIMIT = 64 * 1024 * 1024;

/** Files up to this size are read synchronously: a few microseconds instead of five thread-pool round trips. */
const SYNC_READ_LIMIT = 256 * 1024;

/** A file's size and sha256, and its bytes when it was small enough to read whole. */
export interface HashedFile {
  readonly size: number;
  readonly sha256: string;
  readonly bytes?: Uint8Array;
}

/**
 * Hashes a file: small files in one read (returning the bytes; tiny ones synchronously, the common
 * case of a job's outputs), large ones streamed. Rejects with the fs error.
 */
export async function hashFile(path: string): Promise<HashedFile> {
  const info = statSync(path);
  if (info.size <= WHOLE_READ_LIMIT) {
    const bytes = info.size <= SYNC_READ_LIMIT ? readFileSync(path) : await readFile(path);
    return { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { size: info.size, sha256: hash.digest('hex') };
}

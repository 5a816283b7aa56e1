import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Size in bytes and sha256 (lower-case hex) of a local file, read as a stream. */
export async function fileDigest(path: string): Promise<{ readonly size: number; readonly sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const bytes = chunk as Buffer;
    size += bytes.byteLength;
    hash.update(bytes);
  }
  return { size, sha256: hash.digest('hex') };
}

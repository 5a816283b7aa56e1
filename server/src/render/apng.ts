import { open } from 'node:fs/promises';

/** The animation of an animated PNG (APNG): its frame count and how often it plays (0: forever). */
export interface PngAnimation {
  readonly frames: number;
  readonly plays: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Chunks looked at before giving up (an `acTL` comes before the first `IDAT`). */
const MAX_CHUNKS = 64;

/**
 * The animation control of a PNG file (its `acTL` chunk, which APNG puts before the image data),
 * or undefined for a still PNG, a file that is not a PNG, or a malformed one. Reads only the chunk
 * headers up to the first `IDAT`.
 */
export async function pngAnimation(path: string): Promise<PngAnimation | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(8);
    if ((await handle.read(head, 0, 8, 0)).bytesRead < 8 || SIGNATURE.some((b, i) => head[i] !== b)) return undefined;
    let position = 8;
    for (let n = 0; n < MAX_CHUNKS; n++) {
      const chunk = new Uint8Array(16);
      const { bytesRead } = await handle.read(chunk, 0, 16, position);
      if (bytesRead < 8) return undefined;
      const view = new DataView(chunk.buffer);
      const length = view.getUint32(0);
      const type = String.fromCharCode(...chunk.subarray(4, 8));
      if (type === 'acTL') return bytesRead < 16 ? undefined : { frames: view.getUint32(8), plays: view.getUint32(12) };
      if (type === 'IDAT' || type === 'IEND') return undefined;
      position += 12 + length;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

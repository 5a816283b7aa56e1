import type { TiffPageColour } from './tiff-colour-tags.js';
import type { TiffPageStorage } from './tiff-structure.js';

/** A run of stored bytes: where it starts in the file and how long it is. */
export interface ByteRun {
  readonly offset: number;
  readonly length: number;
}

/**
 * The runs of file bytes that hold a page's samples as they are, when the page needs no decoding:
 * uncompressed, in strips, samples contiguous, no predictor, grey, RGB or black-is-zero/white-is-
 * zero samples of 8, 16, 32 or 64 bits (`bitsPerSample` matching the pixel type's). The strips
 * are taken in order until `planeBytes` are covered; undefined when the page needs a decoder (or
 * its strips hold too little, which the decoder then reports).
 */
export function rawStripRuns(storage: TiffPageStorage, colour: TiffPageColour, planeBytes: number, bytesPerSample: number): ByteRun[] | undefined {
  const simple =
    storage.compression === 1 &&
    !storage.tiled &&
    colour.predictor === 1 &&
    (colour.planar === 1 || colour.samplesPerPixel === 1) &&
    (colour.photometric === undefined || colour.photometric <= 2) &&
    colour.bitsPerSample === bytesPerSample * 8 &&
    storage.offsets.length === storage.counts.length;
  if (!simple) return undefined;
  const runs: ByteRun[] = [];
  let left = planeBytes;
  for (let i = 0; i < storage.offsets.length && left > 0; i++) {
    const length = Math.min(storage.counts[i]!, left);
    runs.push({ offset: storage.offsets[i]!, length });
    left -= length;
  }
  return left === 0 ? runs : undefined;
}

/** Reverses the byte order of every `size`-byte sample of `bytes` in place (big-endian files on this little-endian host). */
export function swapSampleBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let at = 0; at + size <= bytes.length; at += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[at + i]!;
      bytes[at + i] = bytes[at + j]!;
      bytes[at + j] = t;
    }
  }
}

/**
 * TIFF horizontal differencing (Predictor 2) undone for 16- and 32-bit samples stored big-endian:
 * geotiff accumulates those in the machine's byte order, which is wrong for `MM` files.
 */

/** Geometry of one decoded strip or tile. */
export interface PredictorBlock {
  /** Pixels per row (the tile width, or the image width for strips). */
  readonly width: number;
  /** Samples per pixel in this block: SamplesPerPixel for contiguous planes, 1 for separate ones. */
  readonly samples: number;
  /** 2 or 4. */
  readonly bytesPerSample: number;
  readonly littleEndian: boolean;
}

/**
 * Replaces each sample of `block` by the running sum, along its row, of the samples of its
 * channel (modulo 2^bits), reading and writing in the block's byte order. A short last row (a
 * truncated last strip) is accumulated as far as it goes. Throws RangeError for a sample size
 * other than 2 or 4 bytes.
 */
export function undoHorizontalDifferencing(block: ArrayBufferLike, { width, samples, bytesPerSample, littleEndian }: PredictorBlock): void {
  if (bytesPerSample !== 2 && bytesPerSample !== 4) throw new RangeError(`horizontal differencing of ${bytesPerSample}-byte samples is not handled here`);
  const view = new DataView(block);
  const rowBytes = width * samples * bytesPerSample;
  const step = samples * bytesPerSample;
  for (let row = 0; row < view.byteLength; row += rowBytes) {
    const end = Math.min(row + rowBytes, view.byteLength - (view.byteLength % bytesPerSample));
    for (let at = row + step; at + bytesPerSample <= end; at += bytesPerSample) {
      if (bytesPerSample === 2) view.setUint16(at, view.getUint16(at, littleEndian) + view.getUint16(at - step, littleEndian), littleEndian);
      else view.setUint32(at, (view.getUint32(at, littleEndian) + view.getUint32(at - step, littleEndian)) >>> 0, littleEndian);
    }
  }
}

/**
 * YCbCr to RGB for 8-bit TIFF pages (PhotometricInterpretation 6): the TIFF 6.0 §21 conversion
 * with its luma coefficients and ReferenceBlackWhite, and the unpacking of chroma-subsampled data
 * units into full-resolution samples.
 */

/** The parameters of one page's conversion. */
export interface YCbCrConversion {
  /** Luma weights of red, green and blue (YCbCrCoefficients). */
  readonly coefficients: readonly [number, number, number];
  /** Black and white codes of Y, Cb and Cr (ReferenceBlackWhite, six values). */
  readonly referenceBlackWhite: readonly number[];
}

/** ITU-R BT.601 luma weights, the TIFF default of YCbCrCoefficients. */
export const BT601: readonly [number, number, number] = [0.299, 0.587, 0.114];

/**
 * Full-range BT.601, as JPEG (JFIF) stores colour, and libtiff's default ReferenceBlackWhite for
 * YCbCr pages that lack the tag.
 */
export const FULL_RANGE_BT601: YCbCrConversion = { coefficients: BT601, referenceBlackWhite: [0, 255, 128, 255, 128, 255] };

/** A page's conversion from its tags, each absent (or unusable) tag taking {@link FULL_RANGE_BT601}'s value. */
export function ycbcrConversion(coefficients?: readonly number[], referenceBlackWhite?: readonly number[]): YCbCrConversion {
  const usable = (v: readonly number[] | undefined, n: number): boolean => v !== undefined && v.length === n && v.every(Number.isFinite);
  const weights = usable(coefficients, 3) && coefficients![1]! > 0 ? (coefficients as readonly [number, number, number]) : BT601;
  const reference = usable(referenceBlackWhite, 6) ? referenceBlackWhite! : FULL_RANGE_BT601.referenceBlackWhite;
  return { coefficients: weights, referenceBlackWhite: reference };
}

/**
 * Converts interleaved Y, Cb, Cr triplets to R, G, B in place, rounding and clamping to 0..255:
 * each code is first scaled by ReferenceBlackWhite (Y to 0..255 from [black, white], chroma to
 * ±127 from [centre, top]), then R = Y + (2 − 2·Lr)·Cr, B = Y + (2 − 2·Lb)·Cb,
 * G = (Y − Lb·B − Lr·R) / Lg.
 */
export function ycbcrToRgb(samples: Uint8Array, conversion: YCbCrConversion = FULL_RANGE_BT601): void {
  const [lr, lg, lb] = conversion.coefficients;
  const [yBlack, yWhite, cbZero, cbTop, crZero, crTop] = conversion.referenceBlackWhite as [number, number, number, number, number, number];
  const yScale = 255 / (yWhite - yBlack || 1);
  const cbScale = 127 / (cbTop - cbZero || 1);
  const crScale = 127 / (crTop - crZero || 1);
  const rFromCr = 2 - 2 * lr;
  const bFromCb = 2 - 2 * lb;
  const clamp = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let i = 0; i + 2 < samples.length; i += 3) {
    const y = (samples[i]! - yBlack) * yScale;
    const cb = (samples[i + 1]! - cbZero) * cbScale;
    const cr = (samples[i + 2]! - crZero) * crScale;
    const r = y + rFromCr * cr;
    const b = y + bFromCb * cb;
    samples[i] = clamp(r);
    samples[i + 1] = clamp((y - lb * b - lr * r) / lg);
    samples[i + 2] = clamp(b);
  }
}

/** Bytes that `rows` rows of `width` pixels take as data units of `h`×`v` luma samples plus Cb and Cr. */
export function subsampledBytes(width: number, rows: number, h: number, v: number): number {
  return Math.ceil(width / h) * Math.ceil(rows / v) * (h * v + 2);
}

/**
 * Expands chroma-subsampled data units (TIFF 6.0 §21: for each unit, `h`×`v` Y samples row by row,
 * then one Cb and one Cr, units left to right and top to bottom, partial units at the right and
 * bottom edges padded) to `width`×`rows` interleaved Y, Cb, Cr triplets, each unit's chroma
 * repeated over its pixels. Throws RangeError when `units` is shorter than
 * {@link subsampledBytes} or the factors are not 1, 2 or 4.
 */
export function expandSubsampled(units: Uint8Array, width: number, rows: number, h: number, v: number): Uint8Array {
  if (![1, 2, 4].includes(h) || ![1, 2, 4].includes(v)) throw new RangeError(`YCbCr subsampling ${h}×${v} is not valid (each factor 1, 2 or 4)`);
  const need = subsampledBytes(width, rows, h, v);
  if (units.length < need) throw new RangeError(`${units.length} bytes hold fewer than the ${need} bytes of ${width}×${rows} pixels subsampled ${h}×${v}`);
  const out = new Uint8Array(width * rows * 3);
  const across = Math.ceil(width / h);
  const down = Math.ceil(rows / v);
  let at = 0;
  for (let by = 0; by < down; by++) {
    for (let bx = 0; bx < across; bx++) {
      const cb = units[at + h * v]!;
      const cr = units[at + h * v + 1]!;
      for (let j = 0; j < v; j++) {
        const row = by * v + j;
        for (let i = 0; i < h; i++) {
          const col = bx * h + i;
          if (row >= rows || col >= width) continue;
          const o = (row * width + col) * 3;
          out[o] = units[at + j * h + i]!;
          out[o + 1] = cb;
          out[o + 2] = cr;
        }
      }
      at += h * v + 2;
    }
  }
  return out;
}

import type { FormatMetadata } from '../model/data-item.js';
import type { Disposable } from '../util/disposable.js';

/** An n-dimensional pixel array read from or written to an image file. */
export interface PixelArray {
  readonly data: Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
  /** Sizes, slowest axis first, matching `axes`. */
  readonly shape: readonly number[];
  readonly dtype: 'uint8' | 'uint16' | 'uint32' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
  /** Letters from `TCZYXS`, same length as shape. */
  readonly axes: string;
  readonly physicalSize?: FormatMetadata['physicalSize'];
}

/** Bounds on one {@link FormatCodec.readPixels} call. */
export interface PixelReadOptions {
  /**
   * Axes fixed to one index; the result keeps the other axes only (`{ T: 0, C: 1 }`: channel 1 of
   * the first time point, axes `ZYX`). Only the planes selected are read. An axis the image lacks
   * accepts index 0 only; an index outside the image throws RangeError naming the axis and its size.
   */
  readonly select?: Readonly<Partial<Record<'T' | 'C' | 'Z', number>>>;
  /** The most bytes of decoded pixels this read may hold (default {@link defaultMaxPixelBytes}). */
  readonly maxBytes?: number;
}

/**
 * Format extension point, keyed by format id (v1 names: `imagetiff`, `tablecsv`). A codec reads
 * the metadata that import stores on items and, for images, the pixels.
 *
 * Errors: FormatError `CORRUPT` naming the file when it cannot be parsed, `UNSUPPORTED` for valid
 * files using features the codec lacks.
 */
export const FormatCodec = Symbol.for('@bioimageit/core/FormatCodec');
export interface FormatCodec {
  /** Format id, v1-compatible (`imagetiff`). */
  readonly id: string;
  /** Lower-case extensions with dot, longest first (`.ome.tiff`, `.ome.tif`, `.tiff`, `.tif`). */
  readonly extensions: readonly string[];
  /** Human title (`TIFF / OME-TIFF image`). */
  readonly title: string;
  /** Metadata of a file already in memory; `path` only names it in errors. */
  readMetadata(bytes: Uint8Array, path: string): Promise<FormatMetadata>;
  /**
   * Metadata of a file on disk, reading only the parts the format needs (headers, directories),
   * whatever the file's size. Import uses it for files too large to hold in memory; a codec
   * without it leaves those files with empty metadata.
   */
  readFileMetadata?(path: string): Promise<FormatMetadata>;
  /**
   * Pixels of an image file (image codecs only), or the part `options.select` asks for. The
   * decoded size the file declares for that part is checked against `options.maxBytes` before
   * anything is allocated or decoded (FormatError `TOO_LARGE`, naming the file, the size and the
   * limit), so a small file declaring a huge image (a decompression bomb) costs nothing.
   */
  readPixels?(path: string, options?: PixelReadOptions): Promise<PixelArray>;
  /** Writes pixels to a new file (image codecs that can write). */
  writePixels?(path: string, pixels: PixelArray): Promise<void>;
}

export const FormatContribution = Symbol.for('@bioimageit/core/FormatContribution');
export interface FormatContribution {
  registerFormats(registry: FormatRegistrar): void;
}
export interface FormatRegistrar {
  /** Throws FormatError DUPLICATE_FORMAT when the id is taken. */
  register(codec: FormatCodec): Disposable;
}

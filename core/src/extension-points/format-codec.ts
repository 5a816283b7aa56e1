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
  /** Pixels of an image file (image codecs only). */
  readPixels?(path: string): Promise<PixelArray>;
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

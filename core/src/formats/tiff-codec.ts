import type { FormatCodec, PixelArray, PixelReadOptions } from '../extension-points/format-codec.js';
import type { FormatMetadata } from '../model/data-item.js';
import { readTiffFileLayout, readTiffMetadata } from './tiff-metadata.js';
import { readTiffPixels } from './tiff-pixels.js';
import { writeTiff } from './tiff-writer.js';

/**
 * TIFF / OME-TIFF / ImageJ / BigTIFF codec (format id `imagetiff`, as in v1). Metadata comes from
 * the header and IFDs only (fast enough for bulk import); pixels are decoded by geotiff, reading
 * only the pages asked for, within a limit checked before decoding; writes
 * are uncompressed, atomic, and OME-TIFF when the path ends in `.ome.tif(f)`.
 */
export class TiffCodec implements FormatCodec {
  readonly id = 'imagetiff';
  readonly extensions = ['.ome.tiff', '.ome.tif', '.tiff', '.tif'] as const;
  readonly title = 'TIFF / OME-TIFF image';

  /** See {@link readTiffMetadata}. Throws FormatError `CORRUPT` naming `path`. */
  async readMetadata(bytes: Uint8Array, path: string): Promise<FormatMetadata> {
    return readTiffMetadata(bytes, path);
  }

  /** {@link readTiffMetadata} of a file on disk, reading its header and directories only (any size). */
  async readFileMetadata(path: string): Promise<FormatMetadata> {
    return readTiffFileLayout(path).metadata;
  }

  /** See {@link readTiffPixels}. */
  async readPixels(path: string, options?: PixelReadOptions): Promise<PixelArray> {
    return readTiffPixels(path, options);
  }

  /** See {@link writeTiff}; OME-XML is written when `path` ends in `.ome.tif` or `.ome.tiff`. */
  async writePixels(path: string, pixels: PixelArray): Promise<void> {
    await writeTiff(path, pixels, { ome: /\.ome\.tiff?$/i.test(path) });
  }
}

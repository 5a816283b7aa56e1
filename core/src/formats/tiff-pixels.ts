import { readFile } from 'node:fs/promises';
import { fromArrayBuffer } from 'geotiff';
import type { PixelArray } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { corrupt, ioFailure, unsupported } from './format-failure.js';
import { isPixelDtype, pixelDataConstructor, shapeSize } from './pixel-dtype.js';
import { readTiffLayout } from './tiff-metadata.js';

/**
 * Reads all pixels of a TIFF file: the axes and shape of {@link readTiffMetadata}, planes stacked
 * in C order over the leading axes, samples interleaved last. Decoding is geotiff's (classic and
 * BigTIFF, both byte orders, strips, tiles, and its compressions). Throws FormatError `IO` when the
 * file cannot be read, `CORRUPT` when it cannot be decoded, `UNSUPPORTED` for pixel types outside
 * the eight of {@link PixelArray}, compressions geotiff lacks, or planes stored in other files.
 */
export async function readTiffPixels(path: string): Promise<PixelArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw ioFailure(path, 'read file', error);
  }
  return decodeTiffPixels(bytes, path);
}

/** {@link readTiffPixels} for a file already in memory; `path` only names it in errors. */
export async function decodeTiffPixels(bytes: Uint8Array, path: string): Promise<PixelArray> {
  const { metadata, planePages } = readTiffLayout(bytes, path);
  const { shape, axes, dtype } = metadata;
  if (!isPixelDtype(dtype)) throw unsupported(path, `pixel type ${dtype} cannot be read (supported: uint8/16/32, int8/16/32, float32/64)`);
  const planeSize = shapeSize(shape.slice(axes.indexOf('Y')));
  const planes = shapeSize(shape) / planeSize;
  if (planePages.length < planes || planePages[planes - 1]! >= metadata.pages) {
    throw unsupported(
      path,
      `the metadata describes ${planes} planes but the file holds ${metadata.pages} pages (multi-file or truncated datasets are not supported)`,
    );
  }
  const data = new (pixelDataConstructor(dtype))(planes * planeSize);
  const copy =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : new Uint8Array(bytes).buffer;
  try {
    const tiff = await fromArrayBuffer(copy);
    for (let plane = 0; plane < planes; plane++) {
      const image = await tiff.getImage(planePages[plane]!);
      const raster = await image.readRasters({ interleave: true });
      if (raster.length !== planeSize) throw corrupt(path, `page ${planePages[plane]} decodes to ${raster.length} values, expected ${planeSize}`);
      data.set(raster, plane * planeSize);
    }
  } catch (error) {
    if (error instanceof FormatError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    const code = /compression|not supported|unsupported/i.test(why) ? 'UNSUPPORTED' : 'CORRUPT';
    throw new FormatError(code, `${path}: cannot decode pixels: ${why}`, { cause: error, details: { path } });
  }
  const physicalSize = metadata.physicalSize;
  return { data, shape: [...shape], dtype, axes, ...(physicalSize ? { physicalSize } : {}) };
}

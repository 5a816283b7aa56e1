/** Image and table formats: TIFF / OME-TIFF / BigTIFF and CSV codecs, writers and helpers. */
export { TiffCodec } from './tiff-codec.js';
export { readTiffMetadata, readTiffFileLayout, type TiffMetadata, type TiffLayout } from './tiff-metadata.js';
export { readTiffPixels, decodeTiffPixels } from './tiff-pixels.js';
export { encodeTiff, writeTiff, type TiffWriteOptions } from './tiff-writer.js';
export { createTiffPlaneWriter, type TiffPlaneWriter, type TiffPlaneImage } from './tiff-plane-writer.js';
export { CsvCodec, type CsvMetadata } from './csv-codec.js';
export { parseCsv, formatCsv, detectCsvDelimiter, type CsvParseOptions, type CsvFormatOptions } from './csv.js';
export { builtinFormatCodecs } from './builtin-format-codecs.js';
export { codecForPath } from './codec-for-path.js';
export { detectFormatByMagic } from './detect-format-by-magic.js';
export { isPixelDtype, pixelDataConstructor, bytesPerSample, type PixelDtype } from './pixel-dtype.js';
export { defaultMaxPixelBytes, parseByteSize, formatBytes, MAX_PIXEL_BYTES_VARIABLE } from './pixel-limits.js';
export { FileByteView, memoryByteView, type ByteView } from './byte-view.js';
export { readPlane, type PlaneChoice } from './read-plane.js';
export { PngCodec, readPngHeader, type PngMetadata } from './png-codec.js';
export { JpegCodec, readJpegHeader, type JpegMetadata } from './jpeg-codec.js';

import type { FormatCodec } from '../extension-points/format-codec.js';
import { CsvCodec } from './csv-codec.js';
import { JpegCodec } from './jpeg-codec.js';
import { PngCodec } from './png-codec.js';
import { TiffCodec } from './tiff-codec.js';

/** Fresh instances of the codecs the kernel ships: TIFF (`imagetiff`), PNG (`imagepng`), JPEG (`imagejpeg`) and CSV (`tablecsv`). */
export function builtinFormatCodecs(): FormatCodec[] {
  return [new TiffCodec(), new PngCodec(), new JpegCodec(), new CsvCodec()];
}

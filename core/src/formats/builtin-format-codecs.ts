import type { FormatCodec } from '../extension-points/format-codec.js';
import { CsvCodec } from './csv-codec.js';
import { TiffCodec } from './tiff-codec.js';

/** Fresh instances of the codecs the kernel ships: TIFF (`imagetiff`) and CSV (`tablecsv`). */
export function builtinFormatCodecs(): FormatCodec[] {
  return [new TiffCodec(), new CsvCodec()];
}

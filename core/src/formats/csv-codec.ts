import type { FormatCodec } from '../extension-points/format-codec.js';
import type { FormatMetadata } from '../model/data-item.js';
import { detectCsvDelimiter, parseCsv } from './csv.js';

/** Metadata of a CSV table: header names, data row count and the detected delimiter. */
export interface CsvMetadata extends FormatMetadata {
  readonly columns: string[];
  /** Records after the header. */
  readonly rows: number;
  readonly delimiter: string;
}

const utf8 = new TextDecoder('utf-8');

/** CSV table codec (format id `tablecsv`, as in v1). Tables have no pixels. */
export class CsvCodec implements FormatCodec {
  readonly id = 'tablecsv';
  readonly extensions = ['.csv'] as const;
  readonly title = 'CSV table';

  /**
   * Columns are the first record; the delimiter is `,`, `;` or tab, whichever the header uses most.
   * Throws FormatError `CORRUPT` naming `path` and the line of an unterminated quote.
   */
  async readMetadata(bytes: Uint8Array, path: string): Promise<CsvMetadata> {
    const text = utf8.decode(bytes);
    const delimiter = detectCsvDelimiter(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    const rows = parseCsv(text, { delimiter, path });
    return { columns: rows[0] ?? [], rows: Math.max(0, rows.length - 1), delimiter };
  }
}

import { open } from 'node:fs/promises';
import { detectCsvDelimiter, FormatError } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ApiError } from '../api-error.js';
import { ref } from './api-schemas.js';
import { isTableFormat } from './item-view.js';
import type { ServerContext } from './server-context.js';

const itemParams = { experiment: 'experiment id', item: 'item id' };
const error = (description: string) => ({ description, schema: ref('Error') });

/** Rows one request may ask for. */
export const MAX_TABLE_ROWS = 500;
/** Files up to this size are read to their end to count their rows; larger ones answer `totalRows: null` unless the page reaches their end. */
export const COUNT_ROWS_UP_TO = 32 * 2 ** 20;
/** Characters one cell keeps; longer cells are cut and end with `…`. */
export const MAX_CELL_CHARS = 2000;
/** Characters one answer keeps over all its cells (header included); past it the page stops early (fewer rows than asked, `truncated: true`). */
export const MAX_PAGE_CHARS = 4 * 2 ** 20;
/** Bytes read from the file at a time. */
const CHUNK = 64 * 1024;

/** One page of a table: its header, the asked rows, and how many rows there are. */
export interface TablePage {
  readonly columns: string[];
  readonly rows: string[][];
  readonly offset: number;
  /** Data rows (after the header) in the file; null when the file is too large to count and the page did not reach its end. */
  readonly totalRows: number | null;
  /** True when rows follow this page. */
  readonly truncated: boolean;
  /** The field separator detected from the header: `,`, `;` or a tab. */
  readonly delimiter: string;
}

/** CSV/TSV items: a page of rows (the header and up to 500 records), read from the head of the file only. */
export function tableRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/table',
      operationId: 'getTablePage',
      summary: 'Header and a page of rows of a CSV/TSV table item, read from the head of the file (rows after the page are not parsed)',
      tag: 'tables',
      pathParameters: itemParams,
      query: [
        { name: 'offset', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'data rows to skip (the header is never counted)' },
        { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: MAX_TABLE_ROWS, default: 50 }, description: 'data rows to return' },
      ],
      responses: {
        200: { description: 'the header and the page of rows', schema: ref('TablePage') },
        400: error('the item is not a table (CSV/TSV), or a parameter is out of range'),
        404: error('no such experiment or item'),
        422: error("the item's file is not a readable table: binary content, or a quoted field never closed (the message names the line)"),
      },
      handle: async ({ params, query }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const item = await store.getItem(params['item'] as string);
        if (!isTableFormat(item.format)) {
          throw new ApiError('BAD_REQUEST', `item '${item.name}' is not a table (format ${item.format}); table previews exist for CSV/TSV items only`, {
            details: { item: item.id, format: item.format },
          });
        }
        const path = await store.localize(item);
        return { json: await readTablePage(path, { offset: query['offset'] as number, limit: query['limit'] as number, name: item.name }) };
      },
    },
  ];
}

/** Options of {@link readTablePage}. */
export interface TablePageOptions {
  readonly offset: number;
  readonly limit: number;
  /** Names the table in errors (default: the path). */
  readonly name?: string;
}

/**
 * Reads the header and rows [offset, offset + limit) of a CSV/TSV file, streaming it in 64 KiB
 * chunks: rows before the page are scanned without keeping their fields, and reading stops after
 * the first row past the page unless the file is small enough to count ({@link COUNT_ROWS_UP_TO}).
 * The text is UTF-8, or UTF-16 after its byte-order mark; the delimiter is detected from the header
 * as core's CsvCodec does; records follow core's `parseCsv` (RFC 4180, lenient, blank lines
 * skipped, a leading BOM dropped). Memory stays bounded
 * whatever the file's size: cells are cut at {@link MAX_CELL_CHARS} and a page at {@link MAX_PAGE_CHARS}.
 * Throws FormatError CORRUPT naming the line of a NUL byte (binary data) or of a quoted field
 * that the file never closes.
 */
export async function readTablePage(path: string, options: TablePageOptions): Promise<TablePage> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const countAll = size <= COUNT_ROWS_UP_TO;
    const buffer = new Uint8Array(CHUNK);
    let decoder: InstanceType<typeof TextDecoder> | undefined;
    let scanner: CsvScanner | undefined;
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
      position += bytesRead;
      decoder ??= new TextDecoder(textEncoding(buffer.subarray(0, bytesRead)));
      const text = bytesRead === 0 ? decoder.decode() : decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      scanner ??= new CsvScanner(detectCsvDelimiter(text), options, options.name ?? path);
      if (!scanner.feed(text, countAll)) return scanner.finish(false);
      if (bytesRead === 0) return scanner.finish(true);
    }
  } finally {
    await handle.close();
  }
}

/** `utf-16le` or `utf-16be` after their byte-order mark (spreadsheets' "Unicode text" exports), else `utf-8`. */
function textEncoding(head: Uint8Array): string {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

const QUOTE = 34;
const CR = 13;
const LF = 10;
const NUL = 0;

/**
 * An incremental CSV reader with the record rules of core's `parseCsv`: fed text in pieces, it
 * keeps the header and the page's records and only counts the others.
 */
class CsvScanner {
  private readonly delimiter: number;
  private readonly first: number;
  private readonly end: number;
  /** Records completed, header included. */
  private records = 0;
  private line = 1;
  private openedOn = 1;
  private inQuotes = false;
  private quoteSeen = false;
  private crInQuotes = false;
  private pendingCr = false;
  private recordStarted = false;
  private fieldEmpty = true;
  private field = '';
  private row: string[] = [];
  private pageFull = false;
  private pageChars = 0;
  private columns: string[] = [];
  private readonly rows: string[][] = [];

  constructor(
    delimiter: string,
    private readonly options: TablePageOptions,
    private readonly name: string,
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.first = options.offset + 1;
    this.end = options.offset + options.limit + 1;
  }

  /** Reads `text`; false once nothing more is needed (the page is complete and one more record was seen, and the rows are not counted). */
  feed(text: string, countAll: boolean): boolean {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === NUL) throw this.corrupt(`line ${this.line} holds binary data (a NUL byte): not a text table`, this.line);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) continue;
      }
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === QUOTE) {
            this.append('"');
            continue;
          }
          this.inQuotes = false;
        } else {
          if (c === QUOTE) {
            this.quoteSeen = true;
            continue;
          }
          if (c === CR || (c === LF && !this.crInQuotes)) this.line++;
          this.crInQuotes = c === CR;
          this.append(text[i] as string);
          continue;
        }
      }
      if (c === QUOTE && this.fieldEmpty) {
        this.inQuotes = true;
        this.crInQuotes = false;
        this.openedOn = this.line;
        this.recordStarted = true;
      } else if (c === this.delimiter) {
        this.pushField();
        this.recordStarted = true;
      } else if (c === CR || c === LF) {
        this.endRecord();
        this.line++;
        this.pendingCr = c === CR;
        if (!countAll && (this.records > this.end || this.pageFull)) return false;
      } else {
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d === this.delimiter || d === CR || d === LF || d === NUL || d === QUOTE) break;
          j++;
        }
        this.append(text.slice(i, j));
        i = j - 1;
      }
    }
    return true;
  }

  /** The page, once the whole file was read (`atEnd`) or reading stopped early (rows left uncounted). */
  finish(atEnd: boolean): TablePage {
    if (atEnd) {
      if (this.inQuotes && !this.quoteSeen) {
        throw this.corrupt(`unterminated quoted field starting on line ${this.openedOn}`, this.openedOn);
      }
      this.inQuotes = false;
      this.endRecord();
    }
    const dataRows = Math.max(0, this.records - 1);
    const shownEnd = this.options.offset + this.rows.length;
    return {
      columns: this.columns,
      rows: this.rows,
      offset: this.options.offset,
      totalRows: atEnd ? dataRows : null,
      truncated: atEnd ? dataRows > shownEnd : true,
      delimiter: String.fromCharCode(this.delimiter),
    };
  }

  private get keep(): boolean {
    return this.records === 0 || (this.records >= this.first && this.records < this.end && !this.pageFull);
  }

  private append(text: string): void {
    this.recordStarted = true;
    this.fieldEmpty = false;
    if (!this.keep || this.field.length > MAX_CELL_CHARS) return;
    const room = MAX_CELL_CHARS - this.field.length;
    this.field += text.length > room ? text.slice(0, room) + '…' : text;
  }

  private pushField(): void {
    if (this.keep) {
      this.row.push(this.field);
      this.pageChars += this.field.length + 1;
    }
    this.field = '';
    this.fieldEmpty = true;
  }

  private endRecord(): void {
    if (!this.recordStarted && this.row.length === 0 && this.fieldEmpty) return;
    const keep = this.keep;
    this.pushField();
    if (keep) {
      if (this.records === 0) this.columns = this.row;
      else this.rows.push(this.row);
      if (this.records > 0 && this.pageChars > MAX_PAGE_CHARS) this.pageFull = true;
    }
    this.records++;
    this.row = [];
    this.recordStarted = false;
  }

  private corrupt(message: string, line: number): FormatError {
    return new FormatError('CORRUPT', `${this.name}: ${message}`, { details: { line } });
  }
}

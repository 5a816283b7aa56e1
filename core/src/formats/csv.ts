import { FormatError } from '../errors/area-errors.js';

/** Options of {@link parseCsv}. */
export interface CsvParseOptions {
  /** Field separator (default `,`). */
  readonly delimiter?: string;
  /** Names the source in errors. */
  readonly path?: string;
}

/** Options of {@link formatCsv}. */
export interface CsvFormatOptions {
  /** Field separator (default `,`). */
  readonly delimiter?: string;
  /** Record separator (default `\r\n`, as RFC 4180 says). */
  readonly newline?: '\r\n' | '\n';
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Parses RFC 4180 CSV into rows of fields: quoted fields may hold delimiters, doubled quotes and
 * CR/LF line breaks; records end at CRLF, LF or CR; a leading BOM is dropped; blank lines are
 * skipped. Lenient where RFC 4180 is strict: a quote inside an unquoted field is literal, and text
 * after a closing quote is appended. Throws FormatError `CORRUPT` (details `line`, 1-based) for a
 * quoted field that is never closed.
 */
export function parseCsv(text: string, options: CsvParseOptions = {}): string[][] {
  const delimiter = (options.delimiter ?? ',').charCodeAt(0);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let rowHasContent = false;
  const n = text.length;
  const endRecord = (): void => {
    if (rowHasContent || row.length > 0 || field !== '') {
      row.push(field);
      rows.push(row);
    }
    row = [];
    field = '';
    rowHasContent = false;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE && field === '') {
      const openedOn = line;
      rowHasContent = true;
      let start = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          const where = options.path ? `${options.path}: ` : '';
          throw new FormatError('CORRUPT', `${where}unterminated quoted field starting on line ${openedOn}`, {
            details: { line: openedOn, ...(options.path ? { path: options.path } : {}) },
          });
        }
        line += countLines(text, i, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          field += text.slice(start, q + 1);
          i = start = q + 2;
          continue;
        }
        field += text.slice(start, q);
        i = q + 1;
        break;
      }
    } else if (c === delimiter) {
      row.push(field);
      field = '';
      rowHasContent = true;
      i++;
    } else if (c === CR || c === LF) {
      endRecord();
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === delimiter || d === CR || d === LF) break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  endRecord();
  return rows;
}

/** Line breaks (CRLF, LF or CR each counting once) in text[from, to). */
function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF || (c === CR && text.charCodeAt(k + 1) !== LF)) lines++;
  }
  return lines;
}

/**
 * Serializes rows as RFC 4180 CSV: fields holding the delimiter, a quote, CR or LF (or leading or
 * trailing spaces) are quoted with quotes doubled; every record, the last too, ends with `newline`.
 */
export function formatCsv(rows: readonly (readonly string[])[], options: CsvFormatOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const newline = options.newline ?? '\r\n';
  const needsQuotes = (f: string): boolean => f.includes(delimiter) || /["\r\n]/.test(f) || f !== f.trim();
  let out = '';
  for (const row of rows) {
    out += row.map((f) => (needsQuotes(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(delimiter) + newline;
  }
  return out;
}

/** The most frequent of `,` `;` and tab outside quotes in the first record (`,` on a tie or none). */
export function detectCsvDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > counts.get(best)!) best = d;
  return best;
}

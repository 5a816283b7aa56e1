import { FormatError } from '@bioimageit/core';
import { parseCsv } from '@bioimageit/core/formats';
import type { Spot } from './track-model.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** One data record of a {@link readCsvTable} table. */
export interface CsvRecord {
  /** 1-based line of the record in the text. */
  readonly line: number;
  /** The raw cell of `column` (`''` when the record is short). */
  cell(column: string): string;
  /** True when the table has `column` (optional columns). */
  has(column: string): boolean;
  /**
   * The cell as a finite number (or `NaN`, written `NaN`, when `nanAllowed`); throws FormatError
   * `CORRUPT` naming line and column otherwise.
   */
  number(column: string, nanAllowed?: boolean): number;
  /** The cell as an integer; throws FormatError `CORRUPT` naming line and column otherwise. */
  integer(column: string): number;
  /** As {@link CsvRecord.integer}, but `undefined` for an empty cell. */
  optionalInteger(column: string): number | undefined;
  /** Throws FormatError `CORRUPT` naming this record's line (and `column`, when given). */
  fail(message: string, column?: string): never;
}

/**
 * Reads a CSV table whose first record is a header (RFC 4180 through core's `parseCsv`), for the
 * spots and tracks CSV files: every name of `required` must be a header column (any order, other
 * columns ignored). Returns the data records, each knowing its line in `text` so that errors name
 * line and column. Throws FormatError `CORRUPT` (details `line`, `column`, `source`) for an empty
 * text, a missing or duplicate column, and (through the records) bad cells.
 */
export function readCsvTable(text: string, required: readonly string[], source: string): CsvRecord[] {
  const rows = parseCsv(text, { path: source });
  const lines = recordLines(text);
  const header = rows[0];
  const corrupt = (line: number, message: string, column?: string): never => {
    const where = column === undefined ? `line ${line}` : `line ${line}, column ${column}`;
    throw new FormatError('CORRUPT', `${source}: ${where}: ${message}`, { details: { source, line, ...(column === undefined ? {} : { column }) } });
  };
  if (!header) return corrupt(1, `empty file, expected the header ${required.join(',')}`);
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name.trim())) corrupt(lines[0] ?? 1, `duplicate column ${name.trim()}`);
    index.set(name.trim(), i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) corrupt(lines[0] ?? 1, `missing column(s) ${missing.join(', ')}; expected ${required.join(',')}`);
  return rows.slice(1).map((row, r): CsvRecord => {
    const line = lines[r + 1] ?? r + 2;
    const cell = (column: string): string => (row[index.get(column) ?? -1] ?? '').trim();
    const record: CsvRecord = {
      line,
      cell,
      has: (column) => index.has(column),
      number(column, nanAllowed = false) {
        const raw = cell(column);
        if (nanAllowed && raw === 'NaN') return NaN;
        const value = DECIMAL.test(raw) ? Number(raw) : NaN;
        if (!Number.isFinite(value)) corrupt(line, raw === '' ? 'empty cell, expected a number' : `${JSON.stringify(raw)} is not a finite number`, column);
        return value;
      },
      integer(column) {
        const value = record.number(column);
        if (!Number.isSafeInteger(value)) corrupt(line, `${JSON.stringify(cell(column))} is not an integer`, column);
        return value;
      },
      optionalInteger: (column) => (cell(column) === '' ? undefined : record.integer(column)),
      fail: (message, column) => corrupt(line, message, column),
    };
    return record;
  });
}

/** 1-based lines on which the records of `text` start, as core's `parseCsv` splits them. */
function recordLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let quoted = false;
  let atStart = true;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      if (!quoted) atStart = true;
      continue;
    }
    if (atStart) {
      lines.push(line);
      atStart = false;
    }
    if (c === '"') quoted = !quoted;
  }
  return lines;
}

/**
 * The spot of a record of a spots or tracks table: `spot_id` (unique: a duplicate in `seen` fails
 * naming the line), physical `x`, `y`, `z`, and `quality`, `intensity`, `radius` (`NaN` allowed).
 */
export function spotOfRecord(r: CsvRecord, frame: number, seen: Set<number>): Spot {
  const id = r.integer('spot_id');
  if (seen.has(id)) r.fail(`duplicate spot_id ${id}`, 'spot_id');
  seen.add(id);
  return {
    id,
    frame,
    x: r.number('x'),
    y: r.number('y'),
    z: r.number('z'),
    quality: r.number('quality', true),
    intensity: r.number('intensity', true),
    radius: r.number('radius', true),
  };
}

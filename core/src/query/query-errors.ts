import { QueryError, type QueryErrorCode } from '../errors/index.js';

/**
 * Builds the {@link QueryError} thrown by the query language: the message reads
 * `query error at column N: <problem>` and `details` carries `{ column, query }`, where `column`
 * is 1-based (a UTF-16 code unit offset plus one, so it equals `index + 1` in JavaScript terms).
 */
export function queryErrorAt(code: QueryErrorCode, query: string, index: number, problem: string, cause?: unknown): QueryError {
  const column = index + 1;
  const message = `query error at column ${column}: ${problem}`;
  return new QueryError(code, message, { details: { column, query }, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Renders where a query error happened as two lines: the query, then a caret under the faulty
 * column. Tabs in the query are repeated in the caret line so the caret stays aligned, and line
 * breaks are shown as spaces. Callers print it below `err.message` (the CLI does). Returns an
 * empty string when the error carries no `query`/`column` details (e.g. a hand-made error).
 */
export function formatQueryError(err: QueryError): string {
  const query = err.details['query'];
  const column = err.column;
  if (typeof query !== 'string' || column === undefined || column < 1) return '';
  const shown = query.replace(/\r\n?|\n/g, (m) => ' '.repeat(m.length));
  const prefix = shown.slice(0, Math.min(column - 1, shown.length));
  const pad = prefix.replace(/[^\t]/g, ' ') + ' '.repeat(Math.max(0, column - 1 - shown.length));
  return `${shown}\n${pad}^`;
}

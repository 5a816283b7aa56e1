import { isBioImageItError, QueryError, formatQueryError } from '@bioimageit/core';

/** Where the CLI writes; tests replace it to capture output. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  interactive: process.stderr.isTTY === true,
};

/** Prints a value as pretty JSON (the `--json` form of every listing). */
export function printJson(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

/** Prints rows as an aligned text table with a header line. */
export function printTable(output: Output, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  output.out([line(header), ...rows.map(line)].join('\n'));
}

/**
 * One clear message for an error: BioImageIT errors print their message (and for a query
 * error, the query with a caret under the column); anything else is an internal error whose
 * stack is shown only with BIOIMAGEIT_DEBUG=1.
 */
export function describeError(err: unknown): string {
  if (err instanceof QueryError && err.column !== undefined) return `error: ${err.message}\n${indent(formatQueryError(err))}`;
  if (isBioImageItError(err)) return `error: ${err.message}`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const internal = `internal error: ${err.message}${code ? ` (${code})` : ''}`;
    return process.env['BIOIMAGEIT_DEBUG'] === '1' && err.stack ? `${internal}\n${err.stack}` : internal;
  }
  return `internal error: ${String(err)}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}

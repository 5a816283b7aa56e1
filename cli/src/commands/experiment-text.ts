import type { Experiment, ExperimentSummary } from '@bioimageit/core';

/** What a table cell shows for an empty value (a blank cell reads as a missing column). */
export const EMPTY_CELL = '-';

/** `(author Ben Nevis, 2024-05-13)` with only the parts that are known; '' when none is. */
export function experimentByline(info: Pick<Experiment, 'author' | 'date'>): string {
  const parts = [info.author.trim() === '' ? undefined : `author ${info.author.trim()}`, info.date.trim() || undefined].filter((p) => p !== undefined);
  return parts.length === 0 ? '' : `(${parts.join(', ')})`;
}

/** The lines `experiment show` prints above its dataset table: name and byline, URI, tag keys. */
export function experimentHeading(info: Experiment): string {
  const byline = experimentByline(info);
  return [byline === '' ? info.name : `${info.name}  ${byline}`, info.uri, `tag keys: ${info.keys.join(', ') || '(none)'}`].join('\n');
}

/** A row of `experiment list`: name, author, date, keys and URI, empty values shown as {@link EMPTY_CELL}. */
export function experimentRow(e: ExperimentSummary): string[] {
  return [e.name, e.author, e.date, e.keys.join(','), e.uri].map((cell) => (cell.trim() === '' ? EMPTY_CELL : cell));
}

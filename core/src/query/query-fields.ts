import type { QueryFieldRef } from './query-ast.js';

/**
 * What a query can see of an item. `DataItem` (model/data-item.ts) satisfies it structurally, so data items are
 * filtered as they are; other callers (the GUI's tables, OMERO rows) build it from their records.
 */
export interface QueryFields {
  readonly name: string;
  readonly format: string;
  readonly date: string;
  readonly dataset: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A compiled query: true when the item matches. Pure and reentrant; safe to pass to `Array#filter`. */
export type QueryPredicate = (item: QueryFields) => boolean;

/** Reads one field of an item as text. */
export type QueryFieldReader = (item: QueryFields) => string;

/**
 * Returns the reader of a field. A tag the item lacks reads as `""` (as v1 fills missing keys);
 * only the item's own tag properties count, so keys such as `constructor` never reach
 * `Object.prototype`, and a non-string tag value (hand-edited JSON) reads as its string form.
 */
export function fieldReader(ref: QueryFieldRef): QueryFieldReader {
  if (ref.kind === 'item') {
    switch (ref.field) {
      case 'name':
        return (item) => item.name;
      case 'format':
        return (item) => item.format;
      case 'date':
        return (item) => item.date;
      case 'dataset':
        return (item) => item.dataset;
    }
  }
  const key = ref.key;
  return (item) => {
    const tags = item.tags;
    if (!Object.hasOwn(tags, key)) return '';
    const value: unknown = tags[key];
    return typeof value === 'string' ? value : value == null ? '' : String(value);
  };
}

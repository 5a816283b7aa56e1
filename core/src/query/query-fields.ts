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
  /** Format metadata; only `channels[].name` is read (by the `channels` field). */
  readonly metadata?: { readonly channels?: readonly { readonly name?: string }[] };
}

/** A compiled query: true when the item matches. Pure and reentrant; safe to pass to `Array#filter`. */
export type QueryPredicate = (item: QueryFields) => boolean;

/** Reads one field of an item as text. */
export type QueryFieldReader = (item: QueryFields) => string;

/** Reads a field that holds several values (`channels`) as its list of values. */
export type QueryValuesReader = (item: QueryFields) => readonly string[];

/** True for a field that holds a list of values (read with {@link fieldValuesReader}). */
export function isListField(ref: QueryFieldRef): boolean {
  return ref.kind === 'item' && ref.field === 'channels';
}

const NO_VALUES: readonly string[] = [''];

/**
 * Returns the reader of a list field. `channels` reads the channel names of the item's
 * metadata, a channel without a name as `""`; an item without channels reads as `[""]` (as a
 * missing tag reads as `""`). Hand-edited metadata of the wrong shape reads as no channels.
 */
export function fieldValuesReader(ref: QueryFieldRef): QueryValuesReader {
  if (!isListField(ref)) {
    const read = fieldReader(ref);
    return (item) => [read(item)];
  }
  return (item) => {
    const channels: unknown = item.metadata?.channels;
    if (!Array.isArray(channels) || channels.length === 0) return NO_VALUES;
    return channels.map((c: unknown) => {
      const name = typeof c === 'object' && c !== null ? (c as { name?: unknown }).name : undefined;
      return typeof name === 'string' ? name : '';
    });
  };
}

/**
 * Returns the reader of a field. A tag the item lacks reads as `""` (as v1 fills missing keys);
 * only the item's own tag properties count, so keys such as `constructor` never reach
 * `Object.prototype`, and a non-string tag value (hand-edited JSON) reads as its string form.
 * A list field (`channels`) reads as its values joined by `,`; the compiler reads it with
 * {@link fieldValuesReader} instead.
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
      case 'channels': {
        const values = fieldValuesReader(ref);
        return (item) => values(item).join(',');
      }
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

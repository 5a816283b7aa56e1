import type { DataItem, FormatMetadata } from '@bioimageit/core';

/** An item as the API shows it: no storage URIs or server paths, only what a client needs. */
export interface ItemView {
  readonly id: string;
  readonly name: string;
  readonly dataset: string;
  readonly format: string;
  readonly date: string;
  readonly author: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Format metadata as the codec read it (images: axes, shape, dtype, physical sizes, time increment, channels). */
  readonly metadata: FormatMetadata;
  readonly image: boolean;
  /** Whether the item is a CSV/TSV table (its rows can be paged through `/table`). */
  readonly table: boolean;
  readonly origin: {
    readonly type: 'raw' | 'processed';
    readonly runId?: string;
    readonly output?: string;
    readonly inputs?: readonly { readonly name: string; readonly id: string }[];
  };
  /** Present (true) when the item's data file does not exist: never written, or removed or moved since. */
  readonly missing?: true;
}

/** Format ids whose items can be previewed (those of the image codecs). */
export type ImageFormats = ReadonlySet<string>;

/** Format ids of CSV/TSV tables (core's CsvCodec `tablecsv`, and v1's other CSV formats). */
const TABLE_FORMATS: ReadonlySet<string> = new Set(['tablecsv', 'tabletsv', 'numbercsv', 'arraycsv']);

/** Whether items of `format` are CSV/TSV tables that the table route can page through. */
export function isTableFormat(format: string): boolean {
  return TABLE_FORMATS.has(format);
}

/** The API view of `item`; `missing`: its data file does not exist (see core's missingDataIds). */
export function itemView(item: DataItem, images: ImageFormats, missing = false): ItemView {
  const origin =
    item.origin.type === 'processed'
      ? {
          type: 'processed' as const,
          runId: item.origin.run.id,
          output: item.origin.output.name,
          inputs: item.origin.inputs.map((i) => ({ name: i.name, id: i.id })),
        }
      : { type: 'raw' as const };
  return {
    id: item.id,
    name: item.name,
    dataset: item.dataset,
    format: item.format,
    date: item.date,
    author: item.author,
    ...(item.size !== undefined && { size: item.size }),
    ...(item.sha256 !== undefined && { sha256: item.sha256 }),
    tags: item.tags,
    metadata: item.metadata,
    image: images.has(item.format),
    table: isTableFormat(item.format),
    origin,
    ...(missing && { missing: true as const }),
  };
}

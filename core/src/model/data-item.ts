/**
 * Plain, readonly JSON types of the data model. No decorators, no methods: these travel through
 * the kernel, plugins, the CLI's `--json` output and (later) the REST API unchanged.
 */

/** Key/value tags. Keys are experiment tag keys; values are always strings (as in v1). */
export type Tags = Readonly<Record<string, string>>;

/** A physical quantity with its unit: a length per pixel (`{ value: 0.1, unit: 'µm' }`), a time, a wavelength. */
export interface PhysicalSize {
  readonly value: number;
  readonly unit: string;
}

/**
 * What is known of one channel of an image (an OME `Channel` element, an ImageJ LUT). Every
 * field is optional: a file may name a channel without giving its colour, or the reverse.
 */
export interface ChannelMetadata {
  /** The channel's name (`DAPI`, `GFP`, ...). */
  readonly name?: string;
  /** Display colour as `#rrggbb` (lower case; OME's alpha byte is dropped). */
  readonly color?: string;
  /** Excitation wavelength (OME's default unit: `nm`). */
  readonly excitation?: PhysicalSize;
  /** Emission wavelength (OME's default unit: `nm`). */
  readonly emission?: PhysicalSize;
}

/**
 * What a format codec learned about a file. Image codecs fill shape/dtype/axes (axes is a string
 * of the same length as shape, letters from `TCZYXS`, slowest first); table codecs fill columns/rows.
 */
export interface FormatMetadata {
  readonly shape?: readonly number[];
  /** `uint8`, `uint16`, ..., `float64` (other layouts get names such as `uint12`). */
  readonly dtype?: string;
  readonly axes?: string;
  /** Size of a pixel along X, Y, Z with its unit; `t` is the time increment (as {@link timeIncrement}). */
  readonly physicalSize?: Readonly<Partial<Record<'x' | 'y' | 'z' | 't', PhysicalSize>>>;
  /** Time between two T positions (OME `TimeIncrement`, ImageJ `finterval`), with its unit. */
  readonly timeIncrement?: PhysicalSize;
  /**
   * One entry per channel, in C order, when the file describes at least one of them (names and
   * colours from OME `Channel` elements, colours from ImageJ LUTs). Absent otherwise.
   */
  readonly channels?: readonly ChannelMetadata[];
  readonly [extra: string]: unknown;
}

/** Where a raw item came from. */
export interface RawOrigin {
  readonly type: 'raw';
}

/** A reference from a processed item to one of its inputs. */
export interface OriginInput {
  /** The tool's input name (`i`). */
  readonly name: string;
  /** Id (uuid) of the input item. */
  readonly id: string;
  /** Storage URI of the input item's metadata. */
  readonly uri: string;
  readonly type: 'raw' | 'processed';
}

/** How a processed item was made: by which run, from which inputs, as which output. */
export interface ProcessedOrigin {
  readonly type: 'processed';
  readonly run: { readonly id: string; readonly uri: string };
  readonly inputs: readonly OriginInput[];
  readonly output: { readonly name: string; readonly label: string };
  /** The job that made the item and its content key (absent on items written by v1). */
  readonly job?: { readonly id: string; readonly cacheKey: string };
}

export type ItemOrigin = RawOrigin | ProcessedOrigin;

/**
 * One data item (v1 "RawData"/"ProcessedData"). `tags` are the effective tags: for processed items,
 * the tags of their raw origin overlaid with the item's own tags, so queries select outputs by
 * the tags of what they were made from (v1 semantics). An output made from several inputs (a
 * reduce or a paired job) carries only the tags all its inputs share (see `sharedTags`).
 */
export interface DataItem {
  /** Stable id (uuid, as v1 writes it). */
  readonly id: string;
  /** Storage URI of the item's metadata (e.g. `file:///w/exp/data/a.md.json`). */
  readonly uri: string;
  /** Name of the dataset holding the item (`data` for raw items). */
  readonly dataset: string;
  readonly name: string;
  /** Format id (`imagetiff`, `tablecsv`, ... as in v1's formats.json). */
  readonly format: string;
  /** URI of the data file itself (copied into the experiment, or referenced in place). */
  readonly dataUri: string;
  readonly author: string;
  /** Import or creation date, `YYYY-MM-DD` as in v1. */
  readonly date: string;
  readonly size?: number;
  readonly sha256?: string;
  readonly tags: Tags;
  readonly metadata: FormatMetadata;
  readonly origin: ItemOrigin;
  /** True when the data file was referenced in place instead of copied. */
  readonly referenced?: boolean;
  /** URI of a thumbnail image, when one was made. */
  readonly thumbnail?: string;
}

import { corruptFile } from './storage-failure.js';

/**
 * The JSON documents of the BioImageIT v1 LOCAL metadata service (bioimageit_core 0.2), with
 * the fields this backend reads and writes. Parsed documents keep every other key they carry,
 * so that rewriting one (to edit tags) loses nothing v1 or a later version put there.
 */

/** `{name, url, uuid}` reference from experiment.md.json to a dataset file. */
export interface V1DatasetRef {
  readonly name: string;
  readonly url: string;
  readonly uuid: string;
}

/** experiment.md.json */
export interface V1ExperimentDoc {
  readonly uuid: string;
  readonly information: { readonly name: string; readonly author: string; readonly date: string };
  readonly raw_dataset: V1DatasetRef;
  readonly processed_datasets: readonly V1DatasetRef[];
  readonly keys: readonly string[];
  readonly [extra: string]: unknown;
}

/** One `{uuid, url}` entry of a dataset file; `url` is relative to the dataset file's folder. */
export interface V1DatasetEntry {
  readonly uuid: string;
  readonly url: string;
}

/** raw_dataset.md.json / processed_dataset.md.json */
export interface V1DatasetDoc {
  readonly uuid: string;
  readonly name: string;
  readonly urls: readonly V1DatasetEntry[];
  readonly [extra: string]: unknown;
}

/** The `common` block of an item; `url` is relative to the item file's folder, or absolute. */
export interface V1Common {
  readonly name: string;
  readonly author: string;
  readonly date: string;
  readonly format: string;
  readonly url: string;
}

/** Key under which this implementation keeps what v1 has no field for. v1 ignores it. */
export const EXTRAS_KEY = 'bioimageit_ts';

/** Contents of the {@link EXTRAS_KEY} block of an item. */
export interface V1ItemExtras {
  readonly size?: number;
  readonly sha256?: string;
  /** The data file was referenced in place (common.url is then absolute). */
  readonly referenced?: boolean;
  /** Absolute path the data was imported from. */
  readonly source?: string;
  /** A processed item's own tags (v1 stores tags on raw items only). */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * `false` on a processed item made from several inputs: its `tags` are all its tags (those its
   * inputs shared when it was made, and its own); it inherits nothing from `origin.inputs[0]`.
   * Absent (single-input outputs, items written by v1): the origin's tags are inherited.
   */
  readonly inheritsTags?: false;
  /** Thumbnail path, relative to the item file's folder. */
  readonly thumbnail?: string;
  /** The job that made a processed item: its id and content key. */
  readonly job?: { readonly id: string; readonly cacheKey: string };
  /** Format metadata of a processed item (v1 writes no `metadata` block for those). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** The `origin` block of a processed item. */
export interface V1ProcessedOrigin {
  readonly type: 'processed';
  readonly run: { readonly url: string; readonly uuid: string };
  readonly inputs: readonly { readonly name: string; readonly url: string; readonly uuid: string; readonly type: string }[];
  readonly output: { readonly name: string; readonly label: string };
}

/** `<stem>.md.json` of a raw or processed item. */
export interface V1ItemDoc {
  readonly uuid: string;
  readonly origin: { readonly type: 'raw' } | V1ProcessedOrigin;
  readonly common: V1Common;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly key_value_pairs?: Readonly<Record<string, string>>;
  readonly [EXTRAS_KEY]?: V1ItemExtras;
  readonly [extra: string]: unknown;
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;

/**
 * Serializes a document as v1 does (Python `json.dump(..., indent=4)`): 4-space indent, no
 * trailing newline, keys in insertion order, non-ASCII characters escaped (`ensure_ascii`), so
 * the file reads the same in v1 whatever its locale encoding.
 */
export function stringifyV1(doc: unknown): string {
  const text = JSON.stringify(doc, null, 4);
  return NON_ASCII.test(text) ? text.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(doc: Json, key: string, file: string): Json {
  const value = doc[key];
  if (!isObject(value)) throw corruptFile(file, `'${key}' is missing or not an object`);
  return value;
}

function text(doc: Json, key: string, file: string, fallback?: string): string {
  const value = doc[key];
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'number') return String(value);
  throw corruptFile(file, `'${key}' is missing or not a string`);
}

function datasetRef(value: unknown, file: string): V1DatasetRef {
  if (!isObject(value)) throw corruptFile(file, 'a dataset reference is not an object');
  return { ...value, name: text(value, 'name', file), url: text(value, 'url', file), uuid: text(value, 'uuid', file, '') };
}

/** Validates experiment.md.json; throws CORRUPT naming `file`. */
export function parseExperimentDoc(value: unknown, file: string): V1ExperimentDoc {
  if (!isObject(value)) throw corruptFile(file, 'not a JSON object');
  const information = field(value, 'information', file);
  const processed = value['processed_datasets'] ?? [];
  const keys = value['keys'] ?? [];
  if (!Array.isArray(processed)) throw corruptFile(file, "'processed_datasets' is not a list");
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw corruptFile(file, "'keys' is not a list of strings");
  return {
    ...value,
    uuid: text(value, 'uuid', file),
    information: {
      ...information,
      name: text(information, 'name', file),
      author: text(information, 'author', file, ''),
      date: text(information, 'date', file, ''),
    },
    raw_dataset: datasetRef(value['raw_dataset'], file),
    processed_datasets: processed.map((ref) => datasetRef(ref, file)),
    keys: keys as string[],
  };
}

/** Validates a raw or processed dataset file; throws CORRUPT naming `file`. */
export function parseDatasetDoc(value: unknown, file: string): V1DatasetDoc {
  if (!isObject(value)) throw corruptFile(file, 'not a JSON object');
  const urls = value['urls'] ?? [];
  if (!Array.isArray(urls)) throw corruptFile(file, "'urls' is not a list");
  return {
    ...value,
    uuid: text(value, 'uuid', file, ''),
    name: text(value, 'name', file, ''),
    urls: urls.map((entry) => {
      if (!isObject(entry)) throw corruptFile(file, 'an entry of urls is not an object');
      return { uuid: text(entry, 'uuid', file, ''), url: text(entry, 'url', file) };
    }),
  };
}

function stringRecord(value: unknown, key: string, file: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw corruptFile(file, `'${key}' is not an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

/** Validates an item file (raw or processed); throws CORRUPT naming `file`. */
export function parseItemDoc(value: unknown, file: string): V1ItemDoc {
  if (!isObject(value)) throw corruptFile(file, 'not a JSON object');
  const common = field(value, 'common', file);
  const url = text(common, 'url', file);
  const origin = isObject(value['origin']) ? value['origin'] : { type: 'raw' };
  if (origin['type'] === 'processed') {
    field(origin, 'run', file);
    if (!Array.isArray(origin['inputs'])) throw corruptFile(file, "processed origin has no 'inputs' list");
  }
  const extras = value[EXTRAS_KEY];
  if (extras !== undefined && !isObject(extras)) throw corruptFile(file, `'${EXTRAS_KEY}' is not an object`);
  const metadata = value['metadata'];
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) throw corruptFile(file, "'metadata' is not an object");
  const tags = stringRecord(value['key_value_pairs'], 'key_value_pairs', file);
  const doc: Json = {
    ...value,
    uuid: text(value, 'uuid', file),
    origin,
    common: {
      ...common,
      name: text(common, 'name', file, url),
      author: text(common, 'author', file, ''),
      date: text(common, 'date', file, ''),
      format: text(common, 'format', file, ''),
      url,
    },
  };
  if (tags !== undefined) doc['key_value_pairs'] = tags;
  return doc as V1ItemDoc;
}

import path from 'node:path';
import type { DataItem, ItemOrigin, NewRawItem, OriginInput, Tags } from '@bioimageit/core';
import type { ExperimentLayout } from './experiment-layout.js';
import { FolderUris } from './file-uris.js';
import { fileUri } from './path-safety.js';
import { EXTRAS_KEY, type V1ItemDoc, type V1ItemExtras } from './v1-documents.js';

/** Where one item file lives: its dataset and folder. */
export interface ItemPlace {
  readonly dataset: string;
  /** Absolute path of the item's .md.json. */
  readonly file: string;
  /** The folder holding the item file. */
  readonly folder: FolderUris;
  /** URI of the item's .md.json. */
  readonly uri: string;
}

/** Resolves a url stored in an item file, relative to the item's folder (fast path for plain names). */
export function resolveItemUrl(layout: ExperimentLayout, place: ItemPlace, url: string): string {
  return FolderUris.isPlainChild(url) ? place.folder.path(url) : layout.resolve(place.folder.dir, url, place.file);
}

/** The tags an item carries itself: v1's key_value_pairs, overlaid with tags kept in the extras block. */
export function ownTags(doc: V1ItemDoc): Tags {
  const extra = doc[EXTRAS_KEY]?.tags;
  if (extra === undefined) return doc.key_value_pairs ?? {};
  return { ...(doc.key_value_pairs ?? {}), ...extra };
}

function dataLocation(layout: ExperimentLayout, place: ItemPlace, url: string): { path: string; uri: string; absolute: boolean } {
  if (path.isAbsolute(url)) return { path: url, uri: fileUri(url), absolute: true };
  if (FolderUris.isPlainChild(url)) return { path: place.folder.path(url), uri: place.folder.childUri(url), absolute: false };
  const resolved = layout.resolve(place.folder.dir, url, place.file);
  return { path: resolved, uri: fileUri(resolved), absolute: false };
}

function origin(layout: ExperimentLayout, place: ItemPlace, doc: V1ItemDoc): ItemOrigin {
  if (doc.origin.type !== 'processed') return { type: 'raw' };
  const o = doc.origin;
  const inputs: OriginInput[] = (o.inputs ?? []).map((input) => ({
    name: String(input.name ?? ''),
    id: String(input.uuid ?? ''),
    uri: fileUri(resolveItemUrl(layout, place, String(input.url ?? ''))),
    type: input.type === 'processed' ? 'processed' : 'raw',
  }));
  const runUrl = String(o.run?.url ?? '');
  const processed: Record<string, unknown> = {
    type: 'processed',
    run: { id: String(o.run?.uuid ?? ''), uri: runUrl === '' ? '' : fileUri(resolveItemUrl(layout, place, runUrl)) },
    inputs,
    output: { name: String(o.output?.name ?? ''), label: String(o.output?.label ?? '') },
  };
  const job = doc[EXTRAS_KEY]?.job;
  if (typeof job?.id === 'string' && typeof job.cacheKey === 'string') processed['job'] = { id: job.id, cacheKey: job.cacheKey };
  return processed as unknown as ItemOrigin;
}

/**
 * Maps a parsed v1 item file to a DataItem. `tags` are the effective tags (for a processed
 * item, its origin's overlaid with its own). Throws PATH_ESCAPE when a relative url leaves the
 * experiment; an absolute data url is a file referenced in place.
 */
export function toDataItem(layout: ExperimentLayout, place: ItemPlace, doc: V1ItemDoc, tags: Tags): DataItem {
  const extras: V1ItemExtras = doc[EXTRAS_KEY] ?? {};
  const data = dataLocation(layout, place, doc.common.url);
  const item: Record<string, unknown> = {
    id: doc.uuid,
    uri: place.uri,
    dataset: place.dataset,
    name: doc.common.name,
    format: doc.common.format,
    dataUri: data.uri,
    author: doc.common.author,
    date: doc.common.date,
    tags: Object.freeze({ ...tags }),
    metadata: Object.freeze(doc.metadata ?? extras.metadata ?? {}),
    origin: origin(layout, place, doc),
  };
  if (typeof extras.size === 'number') item['size'] = extras.size;
  if (typeof extras.sha256 === 'string') item['sha256'] = extras.sha256;
  if (extras.referenced === true || data.absolute) item['referenced'] = true;
  if (typeof extras.thumbnail === 'string') item['thumbnail'] = dataLocation(layout, place, extras.thumbnail).uri;
  return Object.freeze(item) as unknown as DataItem;
}

/**
 * The v1 document of a new raw item, keys in v1's order, extras last. A copied item's url is
 * its file name beside the item file; a referenced one's is the absolute source path (v1 joins
 * it with the folder, which keeps absolute paths).
 */
export function newRawItemDoc(uuid: string, input: NewRawItem, name: string, date: string): V1ItemDoc {
  const referenced = input.mode === 'reference';
  const extras: V1ItemExtras = { size: input.size, sha256: input.sha256, referenced, source: input.sourcePath };
  return {
    uuid,
    origin: { type: 'raw' },
    common: { name, author: input.author, date, format: input.format, url: referenced ? input.sourcePath : name },
    metadata: { ...input.metadata },
    key_value_pairs: { ...input.tags },
    [EXTRAS_KEY]: extras,
  };
}

/**
 * The item document with tags edited: raw items keep their tags in key_value_pairs (as v1);
 * processed items in the extras block (v1 gives them none). Removing a key a processed item
 * inherits from its origin is not possible: only its own tags are edited.
 */
export function withTagEdits(doc: V1ItemDoc, set: Tags, remove: readonly string[]): V1ItemDoc {
  const processed = doc.origin.type === 'processed';
  const current: Record<string, string> = { ...(processed ? (doc[EXTRAS_KEY]?.tags ?? {}) : (doc.key_value_pairs ?? {})) };
  for (const key of remove) delete current[key];
  Object.assign(current, set);
  if (!processed) return { ...doc, key_value_pairs: current };
  return { ...doc, [EXTRAS_KEY]: { ...(doc[EXTRAS_KEY] ?? {}), tags: current } };
}

/** The item document recording `url` (relative to the item file's folder) as its thumbnail, in the extras block. */
export function withThumbnail(doc: V1ItemDoc, url: string): V1ItemDoc {
  return { ...doc, [EXTRAS_KEY]: { ...(doc[EXTRAS_KEY] ?? {}), thumbnail: url } };
}

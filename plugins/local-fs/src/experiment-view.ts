import path from 'node:path';
import type { DataItem, DatasetInfo, Tags } from '@bioimageit/core';
import type { IndexedDataset, IndexedEntry } from './experiment-index.js';
import type { DatasetRef, ExperimentLayout } from './experiment-layout.js';
import { FolderUris } from './file-uris.js';
import { fileUri } from './path-safety.js';
import type { V1DatasetEntry, V1ItemDoc } from './v1-documents.js';
import { ownTags, resolveItemUrl, toDataItem, type ItemPlace } from './v1-item-mapping.js';

/** An item document with the dataset and entry that list it. */
export interface LocatedItem {
  readonly ref: DatasetRef;
  readonly entry: V1DatasetEntry;
  readonly doc: V1ItemDoc;
}

type Datasets = ReadonlyMap<string, IndexedDataset>;

interface Lookup {
  readonly stamp: string;
  readonly byUuid: Map<string, LocatedItem>;
  byFile?: Map<string, LocatedItem>;
  byId?: Map<string, DataItem>;
}

/**
 * Turns indexed item documents into DataItems, with effective tags, and caches the results:
 * a raw item's DataItem lives as long as its document object, a raw dataset's list until an
 * entry of it changes, processed lists (whose tags depend on other datasets) until anything in
 * the experiment changes. So `items()` on an unchanged experiment is a map lookup.
 */
export class ExperimentView {
  private readonly rawCache = new WeakMap<V1ItemDoc, DataItem>();
  private readonly lists = new Map<string, { stamp: string; items: readonly DataItem[] }>();
  private readonly folders = new Map<string, FolderUris>();
  private lookup: Lookup | undefined;

  constructor(private readonly layout: ExperimentLayout) {}

  /** Items of `ref` in stored order (those whose file is missing are left out). */
  items(ref: DatasetRef, refs: readonly DatasetRef[], datasets: Datasets): readonly DataItem[] {
    const stamp = ref.kind === 'raw' ? String(datasets.get(ref.key)?.version ?? 0) : globalStamp(refs, datasets);
    const cached = this.lists.get(ref.key);
    if (cached !== undefined && cached.stamp === stamp) return cached.items;
    const memo = new Map<string, Tags>();
    const items: DataItem[] = [];
    for (const indexed of datasets.get(ref.key)?.entries ?? []) {
      if (indexed.doc === null) continue;
      const located = { ref, entry: indexed.entry, doc: indexed.doc };
      if (indexed.doc.origin.type !== 'processed') {
        items.push(this.rawItem(located));
      } else {
        const tags = this.effectiveTags(located, this.locate(refs, datasets), memo, new Set());
        items.push(toDataItem(this.layout, this.place(located), located.doc, tags));
      }
    }
    const frozen = Object.freeze(items);
    this.lists.set(ref.key, { stamp, items: frozen });
    return frozen;
  }

  /** The item with id `id` in any dataset, or undefined. */
  find(id: string, refs: readonly DatasetRef[], datasets: Datasets): DataItem | undefined {
    const lookup = this.locate(refs, datasets);
    if (lookup.byId === undefined) {
      lookup.byId = new Map();
      for (const ref of refs) for (const item of this.items(ref, refs, datasets)) lookup.byId.set(item.id, item);
    }
    return lookup.byId.get(id);
  }

  /** The document of item `id` with where it lives (for edits), or undefined. */
  document(id: string, refs: readonly DatasetRef[], datasets: Datasets): (LocatedItem & { readonly file: string }) | undefined {
    const located = this.locate(refs, datasets).byUuid.get(id);
    return located === undefined ? undefined : { ...located, file: this.place(located).file };
  }

  /** DatasetInfo of every dataset, raw first. */
  datasetInfos(refs: readonly DatasetRef[], datasets: Datasets): DatasetInfo[] {
    const count = (entries: readonly IndexedEntry[]): number => entries.reduce((n, e) => (e.doc === null ? n : n + 1), 0);
    return refs.map((ref) => ({ id: ref.uuid, name: ref.name, kind: ref.kind, uri: fileUri(ref.file), itemCount: count(datasets.get(ref.key)?.entries ?? []) }));
  }

  /** The DataItem of a raw item (its tags are its own), cached with its document. */
  rawItem(located: LocatedItem): DataItem {
    const place = this.place(located);
    let item = this.rawCache.get(located.doc);
    if (item === undefined || item.uri !== place.uri) {
      item = toDataItem(this.layout, place, located.doc, ownTags(located.doc));
      this.rawCache.set(located.doc, item);
    }
    return item;
  }

  private place({ ref, entry }: LocatedItem): ItemPlace {
    let folder = this.folders.get(ref.file);
    if (folder === undefined) {
      folder = new FolderUris(path.dirname(ref.file));
      this.folders.set(ref.file, folder);
    }
    if (FolderUris.isPlainChild(entry.url)) return { dataset: ref.name, file: folder.path(entry.url), folder, uri: folder.childUri(entry.url) };
    const file = this.layout.resolve(folder.dir, entry.url, ref.file);
    return { dataset: ref.name, file, folder: new FolderUris(path.dirname(file)), uri: fileUri(file) };
  }

  private locate(refs: readonly DatasetRef[], datasets: Datasets): Lookup {
    const stamp = globalStamp(refs, datasets);
    if (this.lookup?.stamp === stamp) return this.lookup;
    const byUuid = new Map<string, LocatedItem>();
    for (const ref of refs) {
      for (const { entry, doc } of datasets.get(ref.key)?.entries ?? []) if (doc !== null) byUuid.set(doc.uuid, { ref, entry, doc });
    }
    this.lookup = { stamp, byUuid };
    return this.lookup;
  }

  /** Tags of the origin chain (inputs[0], recursively, as v1's get_origin) overlaid with the item's own. */
  private effectiveTags(located: LocatedItem, lookup: Lookup, memo: Map<string, Tags>, seen: Set<string>): Tags {
    const known = memo.get(located.doc.uuid);
    if (known !== undefined) return known;
    let tags = ownTags(located.doc);
    const origin = located.doc.origin;
    const input = origin.type === 'processed' ? origin.inputs?.[0] : undefined;
    if (input !== undefined && !seen.has(located.doc.uuid)) {
      seen.add(located.doc.uuid);
      const parent = lookup.byUuid.get(String(input.uuid)) ?? this.byFile(lookup).get(resolveItemUrl(this.layout, this.place(located), String(input.url)));
      if (parent !== undefined) tags = { ...this.effectiveTags(parent, lookup, memo, seen), ...tags };
    }
    memo.set(located.doc.uuid, tags);
    return tags;
  }

  private byFile(lookup: Lookup): Map<string, LocatedItem> {
    lookup.byFile ??= new Map([...lookup.byUuid.values()].map((l) => [this.place(l).file, l]));
    return lookup.byFile;
  }
}

function globalStamp(refs: readonly DatasetRef[], datasets: Datasets): string {
  return refs.map((ref) => `${ref.key}:${datasets.get(ref.key)?.version ?? 0}`).join('|');
}

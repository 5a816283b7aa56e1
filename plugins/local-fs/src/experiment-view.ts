import path from 'node:path';
import type { DataItem, DatasetInfo, Tags } from '@bioimageit/core';
import type { IndexedDataset } from './experiment-index.js';
import type { DatasetRef, ExperimentLayout } from './experiment-layout.js';
import { FolderUris } from './file-uris.js';
import { fileUri } from './path-safety.js';
import type { V1DatasetEntry, V1ItemDoc } from './v1-documents.js';
import { ownTags, resolveItemUrl, toDataItem, type ItemPlace } from './v1-item-mapping.js';

interface Located {
  readonly entry: V1DatasetEntry;
  readonly doc: V1ItemDoc;
  readonly place: ItemPlace;
}

/**
 * Turns indexed item documents into DataItems, with effective tags, and caches the results:
 * a raw item's DataItem is kept as long as its document object is, a dataset's list as long as
 * no entry of it changes, and processed lists (whose tags depend on other datasets) as long as
 * nothing in the experiment changes. So `items()` on an unchanged experiment is a map lookup.
 */
export class ExperimentView {
  private readonly rawCache = new WeakMap<V1ItemDoc, DataItem>();
  private readonly lists = new Map<string, { stamp: string; items: readonly DataItem[] }>();
  private lookup: { stamp: string; byUuid: Map<string, Located>; byFile?: Map<string, Located>; byId: Map<string, DataItem> } | undefined;

  constructor(private readonly layout: ExperimentLayout) {}

  /** Items of `ref` in stored order; `datasets` are the indexed datasets of the experiment. */
  items(ref: DatasetRef, refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): readonly DataItem[] {
    const stamp = ref.kind === 'raw' ? String(datasets.get(ref.key)?.version ?? 0) : globalStamp(refs, datasets);
    const cached = this.lists.get(ref.key);
    if (cached !== undefined && cached.stamp === stamp) return cached.items;
    const lookup = ref.kind === 'raw' ? undefined : this.locate(refs, datasets);
    const items: DataItem[] = [];
    const memo = new Map<string, Tags>();
    for (const located of this.located(ref, datasets.get(ref.key))) {
      if (ref.kind === 'raw' && located.doc.origin.type !== 'processed') {
        items.push(this.rawItem(located));
      } else {
        const tags = this.effectiveTags(located, lookup ?? this.locate(refs, datasets), memo, new Set());
        items.push(toDataItem(this.layout, located.place, located.doc, tags));
      }
    }
    const frozen = Object.freeze(items);
    this.lists.set(ref.key, { stamp, items: frozen });
    return frozen;
  }

  /** The item with id `id` in any dataset, or undefined. */
  find(id: string, refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): DataItem | undefined {
    const lookup = this.locate(refs, datasets);
    if (lookup.byId.size === 0) for (const ref of refs) for (const item of this.items(ref, refs, datasets)) lookup.byId.set(item.id, item);
    return lookup.byId.get(id);
  }

  /** The located document of item `id` (for edits), or undefined. */
  document(id: string, refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): (Located & { key: string }) | undefined {
    const located = this.locate(refs, datasets).byUuid.get(id);
    if (located === undefined) return undefined;
    const ref = refs.find((r) => r.name === located.place.dataset);
    return ref === undefined ? undefined : { ...located, key: ref.key };
  }

  /** DatasetInfo of every dataset, raw first. */
  datasetInfos(refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): DatasetInfo[] {
    return refs.map((ref) => ({
      id: ref.uuid,
      name: ref.name,
      kind: ref.kind,
      uri: fileUri(ref.file),
      itemCount: datasets.get(ref.key)?.entries.reduce((n, e) => (e.doc === null ? n : n + 1), 0) ?? 0,
    }));
  }

  private rawItem(located: Located): DataItem {
    let item = this.rawCache.get(located.doc);
    if (item === undefined || item.uri !== located.place.uri) {
      item = toDataItem(this.layout, located.place, located.doc, ownTags(located.doc));
      this.rawCache.set(located.doc, item);
    }
    return item;
  }

  private *located(ref: DatasetRef, dataset: IndexedDataset | undefined): Iterable<Located> {
    if (dataset === undefined) return;
    const folder = new FolderUris(path.dirname(ref.file));
    for (const { entry, doc } of dataset.entries) {
      if (doc === null) continue;
      const plain = FolderUris.isPlainChild(entry.url);
      const file = plain ? folder.path(entry.url) : this.layout.resolve(folder.dir, entry.url, ref.file);
      const place: ItemPlace = { dataset: ref.name, file, folder: plain ? folder : new FolderUris(path.dirname(file)), uri: plain ? folder.childUri(entry.url) : fileUri(file) };
      yield { entry, doc, place };
    }
  }

  private locate(refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): NonNullable<ExperimentView['lookup']> {
    const stamp = globalStamp(refs, datasets);
    if (this.lookup?.stamp === stamp) return this.lookup;
    const byUuid = new Map<string, Located>();
    for (const ref of refs) for (const located of this.located(ref, datasets.get(ref.key))) byUuid.set(located.doc.uuid, located);
    this.lookup = { stamp, byUuid, byId: new Map() };
    return this.lookup;
  }

  /** Tags of the origin chain (inputs[0], recursively, as v1's get_origin) overlaid with the item's own. */
  private effectiveTags(located: Located, lookup: NonNullable<ExperimentView['lookup']>, memo: Map<string, Tags>, seen: Set<string>): Tags {
    const known = memo.get(located.doc.uuid);
    if (known !== undefined) return known;
    let tags = ownTags(located.doc);
    const origin = located.doc.origin;
    const input = origin.type === 'processed' ? origin.inputs?.[0] : undefined;
    if (input !== undefined && !seen.has(located.doc.uuid)) {
      seen.add(located.doc.uuid);
      const parent = lookup.byUuid.get(String(input.uuid)) ?? this.byFile(lookup).get(resolveItemUrl(this.layout, located.place, String(input.url)));
      if (parent !== undefined) tags = { ...this.effectiveTags(parent, lookup, memo, seen), ...tags };
    }
    memo.set(located.doc.uuid, tags);
    return tags;
  }

  private byFile(lookup: NonNullable<ExperimentView['lookup']>): Map<string, Located> {
    lookup.byFile ??= new Map([...lookup.byUuid.values()].map((l) => [l.place.file, l]));
    return lookup.byFile;
  }
}

function globalStamp(refs: readonly DatasetRef[], datasets: ReadonlyMap<string, IndexedDataset>): string {
  return refs.map((ref) => `${ref.key}:${datasets.get(ref.key)?.version ?? 0}`).join('|');
}

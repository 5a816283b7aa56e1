import path from 'node:path';
import type { DataItem, DatasetInfo, ItemPage, ItemSelection, ParsedQuery, QueryFields, Tags } from '@bioimageit/core';
import { SnapshotEntry, type IndexedDataset } from './experiment-index.js';
import type { SnapshotColumns } from './index-snapshot.js';
import type { DatasetRef, ExperimentLayout } from './experiment-layout.js';
import { FolderUris } from './file-uris.js';
import { fileUri } from './path-safety.js';
import { EXTRAS_KEY, type V1DatasetEntry, type V1ItemDoc } from './v1-documents.js';
import { ownTags, resolveItemUrl, toDataItem, type ItemPlace } from './v1-item-mapping.js';

/** An item document with the dataset and entry that list it. */
export interface LocatedItem {
  readonly ref: DatasetRef;
  readonly entry: V1DatasetEntry;
  readonly doc: V1ItemDoc;
}

type Datasets = ReadonlyMap<string, IndexedDataset>;

/** The items of one dataset by uuid (and, when needed, by file), for one version of its entries. */
interface DatasetLookup {
  readonly file: string;
  readonly version: number;
  readonly byUuid: Map<string, LocatedItem>;
  byFile?: Map<string, LocatedItem>;
}

interface ItemList {
  readonly stamp: string;
  readonly items: readonly DataItem[];
  byId?: Map<string, DataItem>;
}

/**
 * Turns indexed item documents into DataItems, with effective tags, and caches the results:
 * a raw item's DataItem lives as long as its document object, a raw dataset's list until an
 * entry of it changes, processed lists (whose tags depend on other datasets) until anything in
 * the experiment changes. So `items()` on an unchanged experiment is a map lookup. Lookups by
 * id are kept per dataset, so a write to one dataset (a commit of job outputs) costs a rebuild
 * of that dataset's lookup only.
 */
export class ExperimentView {
  private readonly rawCache = new WeakMap<V1ItemDoc, DataItem>();
  private readonly lists = new Map<string, ItemList>();
  private readonly folders = new Map<string, FolderUris>();
  private readonly lookups = new Map<string, DatasetLookup>();

  constructor(private readonly layout: ExperimentLayout) {}

  /** Items of `ref` in stored order (those whose file is missing are left out). */
  items(ref: DatasetRef, refs: readonly DatasetRef[], datasets: Datasets): readonly DataItem[] {
    return this.list(ref, refs, datasets).items;
  }

  /**
   * The items of `ref` that `query` selects, one page of them, and how many matched. A raw
   * dataset's entries still unread from the index snapshot are matched on its columns (a query of
   * tags only is evaluated once per distinct combination of the tag values it reads) and only the
   * page's hits are read; processed datasets (whose tags come from their origins) are matched on
   * their items.
   */
  select(ref: DatasetRef, refs: readonly DatasetRef[], datasets: Datasets, query: ParsedQuery, page: ItemPage = {}): ItemSelection {
    const match = query.matches;
    const offset = Math.max(0, page.offset ?? 0);
    const limit = page.limit ?? Number.POSITIVE_INFINITY;
    const items: DataItem[] = [];
    let total = 0;
    const take = (item: () => DataItem): void => {
      if (total >= offset && items.length < limit) items.push(item());
      total++;
    };
    if (ref.kind !== 'raw') {
      for (const item of this.items(ref, refs, datasets)) if (match(item)) take(() => item);
      return { total, items };
    }
    const dataset = datasets.get(ref.key);
    if (dataset === undefined) return { total, items };
    const columns = dataset.columns;
    const tuple = query.tagsOnly ? columns?.tagTupleCode(query.keys) : undefined;
    const answers = new Map<number, boolean>();
    for (let row = 0; row < dataset.size; row++) {
      const built = dataset.builtEntryAt(row);
      // A row still as the snapshot recorded it (its entry not built, or built and read) is matched
      // on the snapshot's columns; its entry is built for a hit only.
      if (columns !== undefined && (built === undefined || (built instanceof SnapshotEntry && built.columns === columns))) {
        if (!columns.present(row)) continue;
        const code = tuple?.(row);
        let matched = code === undefined ? undefined : answers.get(code);
        if (matched === undefined) {
          matched = match(new SnapshotFields(columns, row, ref.name, () => dataset.entryAt(row).doc));
          if (code !== undefined) answers.set(code, matched);
        }
        if (matched)
          take(() => {
            const indexed = dataset.entryAt(row);
            return this.rawItem({ ref, entry: indexed.entry, doc: indexed.doc as V1ItemDoc });
          });
        continue;
      }
      const indexed = dataset.entryAt(row);
      if (!indexed.present) continue;
      const item = this.rawItem({ ref, entry: indexed.entry, doc: indexed.doc as V1ItemDoc });
      if (match(item)) take(() => item);
    }
    return { total, items };
  }

  /** The DataItem of one located item, with its effective tags. */
  item(located: LocatedItem, refs: readonly DatasetRef[], datasets: Datasets, memo = new Map<string, Tags>()): DataItem {
    if (located.doc.origin.type !== 'processed') return this.rawItem(located);
    return toDataItem(this.layout, this.place(located), located.doc, this.effectiveTags(located, refs, datasets, memo, new Set()));
  }

  /** The item with id `id` in any dataset, or undefined. */
  find(id: string, refs: readonly DatasetRef[], datasets: Datasets): DataItem | undefined {
    const located = this.locate(id, refs, datasets);
    if (located === undefined) return undefined;
    const list = this.list(located.ref, refs, datasets);
    list.byId ??= new Map(list.items.map((i) => [i.id, i]));
    return list.byId.get(id);
  }

  /** The document of item `id` with where it lives (for edits and origins), or undefined. */
  document(id: string, refs: readonly DatasetRef[], datasets: Datasets): (LocatedItem & { readonly file: string }) | undefined {
    const located = this.locate(id, refs, datasets);
    return located === undefined ? undefined : { ...located, file: this.place(located).file };
  }

  /** DatasetInfo of every dataset, raw first. */
  datasetInfos(refs: readonly DatasetRef[], datasets: Datasets): DatasetInfo[] {
    const count = (dataset: IndexedDataset | undefined): number => {
      if (dataset === undefined) return 0;
      if (!dataset.built && dataset.columns !== undefined) return dataset.columns.presentCount();
      return dataset.entries.reduce((n, e) => (e.present ? n + 1 : n), 0);
    };
    return refs.map((ref) => ({
      id: ref.uuid,
      name: ref.name,
      kind: ref.kind,
      uri: fileUri(ref.file),
      itemCount: count(datasets.get(ref.key)),
    }));
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

  private list(ref: DatasetRef, refs: readonly DatasetRef[], datasets: Datasets): ItemList {
    const stamp = ref.kind === 'raw' ? `${ref.file}:${datasets.get(ref.key)?.version ?? 0}` : globalStamp(refs, datasets);
    const cached = this.lists.get(ref.key);
    if (cached !== undefined && cached.stamp === stamp) return cached;
    const memo = new Map<string, Tags>();
    const items: DataItem[] = [];
    for (const { entry, doc } of datasets.get(ref.key)?.entries ?? []) if (doc !== null) items.push(this.item({ ref, entry, doc }, refs, datasets, memo));
    const list = { stamp, items: Object.freeze(items) };
    this.lists.set(ref.key, list);
    return list;
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

  private lookup(ref: DatasetRef, datasets: Datasets): DatasetLookup {
    const indexed = datasets.get(ref.key);
    const version = indexed?.version ?? 0;
    const cached = this.lookups.get(ref.key);
    if (cached !== undefined && cached.version === version && cached.file === ref.file) return cached;
    const byUuid = new Map<string, LocatedItem>();
    for (const { entry, doc } of indexed?.entries ?? []) if (doc !== null) byUuid.set(doc.uuid, { ref, entry, doc });
    const lookup = { file: ref.file, version, byUuid };
    this.lookups.set(ref.key, lookup);
    return lookup;
  }

  private locate(id: string, refs: readonly DatasetRef[], datasets: Datasets): LocatedItem | undefined {
    for (const ref of refs) {
      const located = this.lookup(ref, datasets).byUuid.get(id);
      if (located !== undefined) return located;
    }
    return undefined;
  }

  private locateFile(file: string, refs: readonly DatasetRef[], datasets: Datasets): LocatedItem | undefined {
    for (const ref of refs) {
      const lookup = this.lookup(ref, datasets);
      lookup.byFile ??= new Map([...lookup.byUuid.values()].map((l) => [this.place(l).file, l]));
      const located = lookup.byFile.get(file);
      if (located !== undefined) return located;
    }
    return undefined;
  }

  /**
   * Tags of the origin chain (inputs[0], recursively, as v1's get_origin) overlaid with the item's
   * own; only its own for an item marked `inheritsTags: false` (made from several inputs: it
   * records the tags they shared).
   */
  private effectiveTags(located: LocatedItem, refs: readonly DatasetRef[], datasets: Datasets, memo: Map<string, Tags>, seen: Set<string>): Tags {
    const known = memo.get(located.doc.uuid);
    if (known !== undefined) return known;
    let tags = ownTags(located.doc);
    const origin = located.doc.origin;
    const inherits = located.doc[EXTRAS_KEY]?.inheritsTags !== false;
    const input = origin.type === 'processed' && inherits ? origin.inputs?.[0] : undefined;
    if (input !== undefined && !seen.has(located.doc.uuid)) {
      seen.add(located.doc.uuid);
      const parent =
        this.locate(String(input.uuid), refs, datasets) ?? this.locateFile(resolveItemUrl(this.layout, this.place(located), String(input.url)), refs, datasets);
      if (parent !== undefined) tags = { ...this.effectiveTags(parent, refs, datasets, memo, seen), ...tags };
    }
    memo.set(located.doc.uuid, tags);
    return tags;
  }
}

/** What a query reads of a snapshot row, decoded from the snapshot's columns on access. */
class SnapshotFields implements QueryFields {
  private cachedTags: Tags | undefined;

  constructor(
    private readonly columns: SnapshotColumns,
    private readonly row: number,
    readonly dataset: string,
    private readonly doc: () => V1ItemDoc | null,
  ) {}

  get name(): string {
    return this.columns.name(this.row);
  }

  get format(): string {
    return this.columns.format(this.row);
  }

  get date(): string {
    return this.columns.date(this.row);
  }

  get tags(): Tags {
    return (this.cachedTags ??= this.columns.tags(this.row));
  }

  /** Format metadata is not in the snapshot: reading it reads the item's record. */
  get metadata(): QueryFields['metadata'] {
    const doc = this.doc();
    return (doc?.metadata ?? doc?.[EXTRAS_KEY]?.metadata ?? {}) as QueryFields['metadata'];
  }
}

function globalStamp(refs: readonly DatasetRef[], datasets: Datasets): string {
  return refs.map((ref) => `${ref.key}:${datasets.get(ref.key)?.version ?? 0}`).join('|');
}

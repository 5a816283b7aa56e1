import { parseQuery, type DataItem, type ExperimentStore, type ParsedQuery } from '@bioimageit/core';

/** How a page of items is asked for. */
export interface ItemPageRequest {
  readonly dataset: string;
  readonly where: string;
  readonly offset: number;
  readonly limit: number;
  /** `name`, `date`, `format`, or a tag key; stored order when absent. */
  readonly sort?: string;
  readonly descending?: boolean;
}

/** One page of a dataset's items selected by a query, and how many the query selects in all. */
export interface ItemPageResult {
  readonly total: number;
  readonly items: readonly DataItem[];
}

/** Selections kept per dataset state (distinct query + sort texts). */
const RESULTS_PER_DATASET = 16;

/**
 * Selects pages of items: the query is parsed once per distinct text, and only the page is
 * returned. In stored order, a store that selects itself (ExperimentStore.selectItems: an index)
 * builds only the page's items, so a table over a million items costs a page. Sorted, the
 * dataset's items come from the store and are filtered and sorted here. A table asks for the same filter page
 * after page, so the selection (filtered and sorted) is also kept, keyed by the very array the
 * store returned: only a frozen array is trusted, since it cannot change in place, so any write
 * to the dataset (a new array) starts afresh. Throws QueryError (with the column) for a bad query.
 */
export class ItemPager {
  private readonly parsed = new Map<string, ParsedQuery>();
  private readonly selections = new WeakMap<readonly DataItem[], Map<string, readonly DataItem[]>>();
  private readonly keyCache = new WeakMap<ExperimentStore, { readonly keys: readonly string[]; readonly at: number }>();

  constructor(private readonly keysTtlMs = 2_000) {}

  /**
   * Table columns for a page: the experiment's tag keys (read at most every `keysTtlMs`, and again
   * after {@link forgetKeys}), then any other key found on the page's items.
   */
  async columns(store: ExperimentStore, items: readonly DataItem[]): Promise<string[]> {
    let cached = this.keyCache.get(store);
    if (cached === undefined || performance.now() - cached.at > this.keysTtlMs) {
      cached = { keys: (await store.info()).keys, at: performance.now() };
      this.keyCache.set(store, cached);
    }
    const keys = [...cached.keys];
    for (const item of items) for (const key of Object.keys(item.tags)) if (!keys.includes(key)) keys.push(key);
    return keys;
  }

  /** Drops the cached tag keys of `store` (after this server changed them). */
  forgetKeys(store: ExperimentStore): void {
    this.keyCache.delete(store);
  }

  async page(store: ExperimentStore, request: ItemPageRequest): Promise<ItemPageResult> {
    if (request.sort === undefined && store.selectItems !== undefined) {
      return store.selectItems(request.dataset, this.query(request.where), { offset: request.offset, limit: request.limit });
    }
    const all = await store.items(request.dataset);
    const hits = this.select(all, request);
    return { total: hits.length, items: hits.slice(request.offset, request.offset + request.limit) };
  }

  private select(all: readonly DataItem[], request: ItemPageRequest): readonly DataItem[] {
    const key = `${request.sort ?? ''}\u0000${request.descending === true ? 'desc' : 'asc'}\u0000${request.where}`;
    const kept = Object.isFrozen(all) ? this.selections.get(all) : undefined;
    const cached = kept?.get(key);
    if (cached !== undefined) return cached;
    const matches = request.where.trim() === '' ? undefined : this.query(request.where).matches;
    let hits: readonly DataItem[] = matches === undefined ? all : all.filter((item) => matches(item));
    if (request.sort !== undefined) hits = sortItems(hits, request.sort, request.descending === true);
    if (Object.isFrozen(all)) {
      const entries = kept ?? new Map<string, readonly DataItem[]>();
      if (entries.size >= RESULTS_PER_DATASET) entries.delete(entries.keys().next().value as string);
      entries.set(key, hits);
      this.selections.set(all, entries);
    }
    return hits;
  }

  private query(where: string): ParsedQuery {
    const cached = this.parsed.get(where);
    if (cached !== undefined) return cached;
    const query = parseQuery(where);
    if (this.parsed.size >= 64) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(where, query);
    return query;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortItems(items: readonly DataItem[], key: string, descending: boolean): DataItem[] {
  const value = (item: DataItem): string => (key === 'name' || key === 'date' || key === 'format' ? item[key] : (item.tags[key] ?? ''));
  const sign = descending ? -1 : 1;
  return [...items].sort((a, b) => sign * collator.compare(value(a), value(b)));
}

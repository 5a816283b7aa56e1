import { parseQuery, type DataItem, type ExperimentStore, type QueryPredicate } from '@bioimageit/core';

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

/**
 * Selects pages of items: the query is parsed once per distinct text (a small cache, because a
 * table asks for the same filter page after page), the dataset's items come from the store (its
 * index), and only the page is returned. Throws QueryError (with the column) for a bad query.
 */
export class ItemPager {
  private readonly parsed = new Map<string, QueryPredicate>();
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
    const all = await store.items(request.dataset);
    const matches = request.where.trim() === '' ? undefined : this.predicate(request.where);
    let hits: readonly DataItem[] = matches === undefined ? all : all.filter((item) => matches(item));
    if (request.sort !== undefined) hits = sortItems(hits, request.sort, request.descending === true);
    return { total: hits.length, items: hits.slice(request.offset, request.offset + request.limit) };
  }

  private predicate(where: string): QueryPredicate {
    const cached = this.parsed.get(where);
    if (cached !== undefined) return cached;
    const predicate = parseQuery(where).matches;
    if (this.parsed.size >= 64) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(where, predicate);
    return predicate;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function sortItems(items: readonly DataItem[], key: string, descending: boolean): DataItem[] {
  const value = (item: DataItem): string => (key === 'name' || key === 'date' || key === 'format' ? item[key] : (item.tags[key] ?? ''));
  const sign = descending ? -1 : 1;
  return [...items].sort((a, b) => sign * collator.compare(value(a), value(b)));
}

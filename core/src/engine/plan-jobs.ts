import { ToolError } from '../errors/area-errors.js';
import type { DataItem } from '../model/data-item.js';
import type { JobPlan, UnmatchedItem } from './run-request.js';
import { itemStem } from './select-inputs.js';

/** How to turn selected items into jobs (see {@link planJobs}). */
export interface PlanOptions {
  readonly toolId: string;
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  /** The tool is of type `reduce` (one job per group; a single group without groupBy). */
  readonly reduce: boolean;
}

/** Planned jobs, in order, and the items that pairing left out. */
export interface JobPlanning {
  readonly plans: JobPlan[];
  readonly unmatched: UnmatchedItem[];
}

const bad = (toolId: string, why: string, details: Record<string, unknown> = {}): ToolError =>
  new ToolError('BAD_PARAMETER', `tool '${toolId}': ${why}`, { details: { tool: toolId, ...details } });

/**
 * Pairs the selected items of each input into jobs:
 * - grouped (`groupBy`, or a `reduce` tool): items sharing the groupBy tag values form one job per
 *   input; groups are joined across inputs by those values (an inner join);
 * - one input: one job per item;
 * - several inputs: by `matchBy` tag keys (inner join; a key tuple found twice in one input is an
 *   error) or by `'position'` (equal counts required). Without either, an error says how to choose.
 * Items lacking a key, or whose key tuple has no partner, are reported as unmatched. Jobs follow
 * the order of the first input's items.
 */
export function planJobs(selection: ReadonlyMap<string, readonly DataItem[]>, options: PlanOptions): JobPlanning {
  const names = [...selection.keys()];
  const grouped = options.reduce || (options.groupBy !== undefined && options.groupBy.length > 0);
  if (grouped) return planGroups(selection, options.groupBy ?? []);
  const first = names[0];
  if (first === undefined) return { plans: [{ index: 0, bindings: {}, grouped: false, stem: 'run' }], unmatched: [] };
  if (names.length === 1) {
    const items = selection.get(first) ?? [];
    return { plans: items.map((item, index) => ({ index, bindings: { [first]: [item] }, grouped: false, stem: itemStem(item) })), unmatched: [] };
  }
  const { matchBy } = options;
  if (matchBy === undefined || (matchBy !== 'position' && matchBy.length === 0)) {
    throw bad(
      options.toolId,
      `it has ${names.length} data inputs (${names.join(', ')}): say how to pair their items, by tag keys (matchBy, --match-by KEY,...) or by position (--match-by-position)`,
    );
  }
  if (matchBy === 'position') return planByPosition(selection, options.toolId);
  return planByKeys(selection, matchBy, options.toolId);
}

function planByPosition(selection: ReadonlyMap<string, readonly DataItem[]>, toolId: string): JobPlanning {
  const counts = [...selection].map(([name, items]) => ({ name, count: items.length }));
  if (new Set(counts.map((c) => c.count)).size > 1) {
    const list = counts.map((c) => `'${c.name}' ${c.count}`).join(', ');
    throw bad(toolId, `pairing by position needs the same number of items in every input (got ${list})`, { counts });
  }
  const n = counts[0]?.count ?? 0;
  const plans: JobPlan[] = [];
  for (let index = 0; index < n; index++) {
    const bindings = Object.fromEntries([...selection].map(([name, items]) => [name, [items[index] as DataItem]]));
    plans.push({ index, bindings, grouped: false, stem: itemStem(Object.values(bindings)[0]?.[0] as DataItem) });
  }
  return { plans, unmatched: [] };
}

/** Key tuple of an item, or undefined when it lacks one of the keys. */
function keyOf(item: DataItem, keys: readonly string[]): string[] | undefined {
  const values = keys.map((k) => item.tags[k]);
  return values.every((v): v is string => v !== undefined && v !== '') ? values : undefined;
}

/** The unmatched report of an item missing (or empty on) one of the matchBy/groupBy keys. */
function lacksKey(input: string, item: DataItem, keys: readonly string[]): UnmatchedItem {
  return {
    input,
    itemId: item.id,
    name: item.name,
    key: keys.map((k) => item.tags[k] ?? ''),
    reason: `lacks tag ${keys.filter((k) => !item.tags[k]).join(', ')}`,
  };
}

function planByKeys(selection: ReadonlyMap<string, readonly DataItem[]>, keys: readonly string[], toolId: string): JobPlanning {
  const unmatched: UnmatchedItem[] = [];
  const indexes = new Map<string, Map<string, DataItem>>();
  for (const [name, items] of selection) {
    const byKey = new Map<string, DataItem>();
    for (const item of items) {
      const key = keyOf(item, keys);
      if (key === undefined) {
        unmatched.push(lacksKey(name, item, keys));
        continue;
      }
      const id = JSON.stringify(key);
      const other = byKey.get(id);
      if (other !== undefined) {
        throw bad(
          toolId,
          `input '${name}' has two items with ${describeKey(keys, key)} ('${other.name}' and '${item.name}'): matchBy keys must identify one item per input; add keys`,
          {
            input: name,
            key,
            items: [other.id, item.id],
          },
        );
      }
      byKey.set(id, item);
    }
    indexes.set(name, byKey);
  }
  const names = [...selection.keys()];
  const plans: JobPlan[] = [];
  const joined = new Set<string>();
  for (const id of indexes.get(names[0] as string)?.keys() ?? []) {
    if (!names.every((n) => indexes.get(n)?.has(id))) continue;
    joined.add(id);
    const bindings = Object.fromEntries(names.map((n) => [n, [indexes.get(n)?.get(id) as DataItem]]));
    plans.push({ index: plans.length, bindings, grouped: false, stem: itemStem(bindings[names[0] as string]?.[0] as DataItem) });
  }
  reportUnjoined(indexes, joined, keys, unmatched, (item) => [item]);
  return { plans, unmatched };
}

function planGroups(selection: ReadonlyMap<string, readonly DataItem[]>, keys: readonly string[]): JobPlanning {
  const unmatched: UnmatchedItem[] = [];
  const indexes = new Map<string, Map<string, DataItem[]>>();
  for (const [name, items] of selection) {
    const groups = new Map<string, DataItem[]>();
    for (const item of items) {
      const key = keyOf(item, keys);
      if (key === undefined) {
        unmatched.push(lacksKey(name, item, keys));
        continue;
      }
      const id = JSON.stringify(key);
      const group = groups.get(id);
      if (group === undefined) groups.set(id, [item]);
      else group.push(item);
    }
    indexes.set(name, groups);
  }
  const names = [...selection.keys()];
  const plans: JobPlan[] = [];
  const joined = new Set<string>();
  const firstGroups = names[0] === undefined ? new Map<string, DataItem[]>([['[]', []]]) : (indexes.get(names[0]) ?? new Map<string, DataItem[]>());
  for (const id of firstGroups.keys()) {
    if (!names.every((n) => indexes.get(n)?.has(id))) continue;
    joined.add(id);
    const values = JSON.parse(id) as string[];
    const bindings = Object.fromEntries(names.map((n) => [n, indexes.get(n)?.get(id) as DataItem[]]));
    plans.push({ index: plans.length, bindings, grouped: true, stem: groupStem(values) });
  }
  reportUnjoined(indexes, joined, keys, unmatched, (group) => group);
  return { plans, unmatched };
}

function reportUnjoined<T>(
  indexes: ReadonlyMap<string, ReadonlyMap<string, T>>,
  joined: ReadonlySet<string>,
  keys: readonly string[],
  unmatched: UnmatchedItem[],
  itemsOf: (entry: T) => readonly DataItem[],
): void {
  for (const [name, byKey] of indexes) {
    for (const [id, entry] of byKey) {
      if (joined.has(id)) continue;
      const key = JSON.parse(id) as string[];
      const absent = [...indexes].filter(([, other]) => !other.has(id)).map(([n]) => `'${n}'`);
      for (const item of itemsOf(entry))
        unmatched.push({ input: name, itemId: item.id, name: item.name, key, reason: `no item with ${describeKey(keys, key)} in input ${absent.join(', ')}` });
    }
  }
}

function describeKey(keys: readonly string[], values: readonly string[]): string {
  return keys.map((k, i) => `${k}=${values[i] ?? ''}`).join(', ');
}

/** Output-name stem of a group: its key values joined by `_` (safe for file names), or `all`. */
function groupStem(values: readonly string[]): string {
  if (values.length === 0) return 'all';
  return values.map((v) => v.replace(/[/\\\0\s]+/g, '_')).join('_');
}

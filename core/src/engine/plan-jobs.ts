import { ToolError } from '../errors/area-errors.js';
import type { DataItem } from '../model/data-item.js';
import type { JobPlan, UnmatchedItem } from './run-request.js';
import { itemStem } from './select-inputs.js';

/** How to turn selected items into jobs (see {@link planJobs}). */
export interface PlanOptions {
  readonly toolId: string;
  readonly matchBy?: readonly string[] | 'position';
  readonly groupBy?: readonly string[];
  /**
   * Order of the items inside each group (grouped runs): by these tag values, compared as numbers
   * when both are numbers (`T=2` before `T=10`), else as text. In a group of several items, those
   * lacking one are left out (reported as unmatched); a group of one item (a series' tracks table
   * joined to its stacks) needs no order key.
   */
  readonly orderBy?: readonly string[];
  /**
   * Inputs whose single item goes to every job (a PSF, a reference, a model): they take no part in
   * pairing or grouping. Each must select exactly one item.
   */
  readonly broadcast?: readonly string[];
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
 * - broadcast inputs (`broadcast`): their one item is bound to every job; the other inputs are
 *   paired among themselves as below;
 * - grouped (`groupBy`, or a `reduce` tool): items sharing the groupBy tag values form one job per
 *   input, ordered inside the group by `orderBy`; groups are joined across inputs by those values
 *   (an inner join);
 * - one input: one job per item;
 * - several inputs: by `matchBy` tag keys (inner join; a key tuple found twice in one input is an
 *   error) or by `'position'` (equal counts required). Without either, an error says how to choose.
 * Items lacking a key, or whose key tuple has no partner, are reported as unmatched. Jobs follow
 * the order of the first input's items.
 *
 * @throws ToolError BAD_PARAMETER when pairing cannot be done (how is not said, counts differ, a
 *   key is not unique, a broadcast input has other than one item), and NOTHING_TO_RUN when it plans
 *   no job (every item left out): the message gives the reason and `details.unmatched` the items.
 */
export function planJobs(selection: ReadonlyMap<string, readonly DataItem[]>, options: PlanOptions): JobPlanning {
  const broadcast = broadcastBindings(selection, options);
  const paired = new Map([...selection].filter(([name]) => !broadcast.has(name)));
  const planning = pairInputs(paired, options, broadcast.size > 0);
  const plans = planning.plans.map((plan) =>
    broadcast.size === 0 ? plan : { ...plan, bindings: withBroadcast(selection, plan.bindings, broadcast), broadcast: [...broadcast.keys()] },
  );
  if (plans.length === 0) throw nothingToRun(options, paired, planning.unmatched);
  return { plans, unmatched: planning.unmatched };
}

function pairInputs(selection: ReadonlyMap<string, readonly DataItem[]>, options: PlanOptions, broadcasting: boolean): JobPlanning {
  const names = [...selection.keys()];
  const grouped = options.reduce || (options.groupBy !== undefined && options.groupBy.length > 0);
  if (grouped) return planGroups(selection, options.groupBy ?? [], options.orderBy ?? []);
  const first = names[0];
  if (first === undefined) return { plans: [{ index: 0, bindings: {}, grouped: false, stem: 'run' }], unmatched: [] };
  if (names.length === 1) {
    const items = selection.get(first) ?? [];
    return { plans: items.map((item, index) => ({ index, bindings: { [first]: [item] }, grouped: false, stem: itemStem(item) })), unmatched: [] };
  }
  const { matchBy } = options;
  if (matchBy === undefined || (matchBy !== 'position' && matchBy.length === 0)) {
    const single = broadcasting ? undefined : [...selection].find(([, items]) => items.length === 1)?.[0];
    throw bad(
      options.toolId,
      `it has ${names.length} data inputs (${names.join(', ')}): say how to pair their items, by tag keys (matchBy, --match-by KEY,...) or by position (--match-by-position)${single === undefined ? '' : `, or give input '${single}' (one item) to every job (broadcast, --broadcast ${single})`}`,
    );
  }
  if (matchBy === 'position') return planByPosition(selection, options.toolId, broadcasting);
  return planByKeys(selection, matchBy, options.toolId);
}

/** The broadcast inputs and their one item; throws when one is unknown or selects other than one item. */
function broadcastBindings(selection: ReadonlyMap<string, readonly DataItem[]>, options: PlanOptions): Map<string, DataItem> {
  const found = new Map<string, DataItem>();
  for (const name of options.broadcast ?? []) {
    const items = selection.get(name);
    if (items === undefined)
      throw bad(options.toolId, `broadcast input '${name}' is not one of the run's inputs (${[...selection.keys()].join(', ')})`, { input: name });
    if (items.length !== 1) {
      throw bad(
        options.toolId,
        `broadcast input '${name}' selects ${items.length} items; a broadcast input gives its one item to every job: narrow its query to one item (${items
          .slice(0, 3)
          .map((i) => `'${i.name}'`)
          .join(', ')}${items.length > 3 ? ', ...' : ''})`,
        { input: name, count: items.length },
      );
    }
    found.set(name, items[0] as DataItem);
  }
  if (found.size > 0 && found.size === selection.size && selection.size > 1)
    throw bad(options.toolId, `every input is broadcast (${[...found.keys()].join(', ')}): leave at least one to map over`, { broadcast: [...found.keys()] });
  return found;
}

/** A plan's bindings with the broadcast items added, in the order of the run's inputs. */
function withBroadcast(
  selection: ReadonlyMap<string, readonly DataItem[]>,
  bindings: Readonly<Record<string, readonly DataItem[]>>,
  broadcast: ReadonlyMap<string, DataItem>,
): Record<string, readonly DataItem[]> {
  if (broadcast.size === 0) return { ...bindings };
  return Object.fromEntries(
    [...selection.keys()].flatMap((name) => {
      const one = broadcast.get(name);
      if (one !== undefined) return [[name, [one]]];
      const bound = bindings[name];
      return bound === undefined ? [] : [[name, bound]];
    }),
  );
}

/** The error of a run that plans no job: why, with the first items left out. */
function nothingToRun(options: PlanOptions, selection: ReadonlyMap<string, readonly DataItem[]>, unmatched: readonly UnmatchedItem[]): ToolError {
  const how =
    options.reduce || (options.groupBy?.length ?? 0) > 0
      ? `grouping by ${options.groupBy?.length ? options.groupBy.join(', ') : '(everything)'}${options.orderBy?.length ? ` ordered by ${options.orderBy.join(', ')}` : ''}`
      : options.matchBy === 'position'
        ? 'pairing by position'
        : `pairing by ${(options.matchBy ?? []).join(', ')}`;
  const counts = [...selection].map(([name, items]) => `'${name}' ${items.length}`).join(', ');
  const examples = unmatched
    .slice(0, 3)
    .map((u) => `${u.input}: ${u.name}: ${u.reason}`)
    .join('; ');
  return new ToolError(
    'NOTHING_TO_RUN',
    `tool '${options.toolId}': the run plans no job: ${how} left out all ${unmatched.length} selected item(s) (${counts})${examples === '' ? '' : `, e.g. ${examples}`}`,
    { details: { tool: options.toolId, unmatched } },
  );
}

function planByPosition(selection: ReadonlyMap<string, readonly DataItem[]>, toolId: string, broadcasting: boolean): JobPlanning {
  const counts = [...selection].map(([name, items]) => ({ name, count: items.length }));
  if (new Set(counts.map((c) => c.count)).size > 1) {
    const list = counts.map((c) => `'${c.name}' ${c.count}`).join(', ');
    const single = broadcasting ? undefined : counts.find((c) => c.count === 1)?.name;
    const hint = single === undefined ? '' : `; to give input '${single}' (one item) to every job, broadcast it (broadcast, --broadcast ${single})`;
    throw bad(toolId, `pairing by position needs the same number of items in every input (got ${list})${hint}`, { counts });
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

function planGroups(selection: ReadonlyMap<string, readonly DataItem[]>, keys: readonly string[], orderBy: readonly string[]): JobPlanning {
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
    if (orderBy.length > 0) for (const [id, group] of groups) groups.set(id, orderGroup(name, group, keys, orderBy, unmatched));
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

/**
 * A group in `orderBy` order. A group of several items needs every item to carry the order keys:
 * those lacking one are left out (reported as unmatched); a group of one item needs no order.
 */
function orderGroup(input: string, group: DataItem[], keys: readonly string[], orderBy: readonly string[], unmatched: UnmatchedItem[]): DataItem[] {
  if (group.length < 2) return group;
  const kept: DataItem[] = [];
  for (const item of group) {
    if (keyOf(item, orderBy) !== undefined) kept.push(item);
    else unmatched.push({ ...lacksKey(input, item, orderBy), key: keys.map((k) => item.tags[k] ?? '') });
  }
  return kept.sort((a, b) => compareByTags(a, b, orderBy));
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Orders two items by the values of `keys`: numerically when both values are numbers, else as text (natural order for digits). */
export function compareByTags(a: DataItem, b: DataItem, keys: readonly string[]): number {
  for (const key of keys) {
    const x = a.tags[key] ?? '';
    const y = b.tags[key] ?? '';
    const order = NUMBER.test(x.trim()) && NUMBER.test(y.trim()) ? Number(x) - Number(y) : x.localeCompare(y, 'en', { numeric: true });
    if (order !== 0) return order;
  }
  return 0;
}

function describeKey(keys: readonly string[], values: readonly string[]): string {
  return keys.map((k, i) => `${k}=${values[i] ?? ''}`).join(', ');
}

/** Output-name stem of a group: its key values joined by `_` (safe for file names), or `all`. */
function groupStem(values: readonly string[]): string {
  if (values.length === 0) return 'all';
  return values.map((v) => v.replace(/[/\\\0\s]+/g, '_')).join('_');
}

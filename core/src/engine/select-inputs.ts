import { ToolError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import { filterItems } from '../query/index.js';
import type { ToolManifest } from '../tools/tool-manifest.js';
import type { RunInput } from './run-request.js';

const bad = (manifest: ToolManifest, why: string, details: Record<string, unknown> = {}): ToolError =>
  new ToolError('BAD_PARAMETER', `tool '${manifest.id}': ${why}`, { details: { tool: manifest.id, ...details } });

/**
 * Checks a run's inputs against the tool's data inputs (known names, no duplicates, every required
 * one given) and returns the items each selects, in stored order: the dataset's items (or the given
 * `itemIds`), filtered by the query and by `originOutputName`. Throws ToolError BAD_PARAMETER for
 * unknown or missing inputs and for a selection that is empty; QueryError for a bad query.
 */
export async function selectInputs(store: ExperimentStore, manifest: ToolManifest, inputs: readonly RunInput[]): Promise<Map<string, DataItem[]>> {
  const dataInputs = manifest.inputs.filter((i) => i.type === 'data');
  const names = dataInputs.map((i) => i.name);
  const seen = new Set<string>();
  for (const input of inputs) {
    if (!names.includes(input.name))
      throw bad(manifest, `'${input.name}' is not a data input (data inputs: ${names.join(', ') || 'none'})`, { input: input.name });
    if (seen.has(input.name)) throw bad(manifest, `input '${input.name}' is given twice`, { input: input.name });
    seen.add(input.name);
  }
  const missing = dataInputs.filter((i) => i.optional !== true && !seen.has(i.name)).map((i) => i.name);
  if (missing.length > 0)
    throw bad(manifest, `no data given for input${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, { missing });

  const datasets = new Map<string, Promise<readonly DataItem[]>>();
  const selection = new Map<string, DataItem[]>();
  for (const input of inputs) {
    const dataset = input.dataset ?? 'data';
    let pool: readonly DataItem[];
    if (input.itemIds !== undefined) {
      pool = await Promise.all(input.itemIds.map((id) => store.getItem(id)));
    } else {
      if (!datasets.has(dataset)) datasets.set(dataset, store.items(dataset));
      pool = await (datasets.get(dataset) as Promise<readonly DataItem[]>);
    }
    let items = filterItems(pool, input.query ?? '');
    if (input.originOutputName !== undefined && input.originOutputName !== '') {
      const wanted = input.originOutputName;
      items = items.filter((item) => item.origin.type === 'processed' && item.origin.output.name === wanted);
    }
    if (items.length === 0) {
      const what = input.itemIds !== undefined ? `the ${input.itemIds.length} given item(s)` : `dataset '${dataset}'`;
      const query = input.query ? ` with query '${input.query}'` : '';
      const origin = input.originOutputName ? ` made as output '${input.originOutputName}'` : '';
      throw bad(manifest, `input '${input.name}' selects no items from ${what}${query}${origin}`, { input: input.name, dataset, query: input.query ?? '' });
    }
    selection.set(input.name, items);
  }
  return selection;
}

/**
 * The file stem of an item's data file, as v1 names outputs after it: the data file name (or the
 * item name) without its extension; `.ome.tif`-style double extensions are removed whole.
 */
export function itemStem(item: DataItem): string {
  let base = item.name;
  try {
    const path = new URL(item.dataUri).pathname;
    const last = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
    if (last !== '') base = last;
  } catch {
    // not a URL: keep the item name
  }
  const ome = /\.ome\.[a-z0-9]+$/i.exec(base);
  if (ome !== null && ome.index > 0) return base.slice(0, ome.index);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

import { isBioImageItError } from '../errors/bioimageit-error.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import type { RunRecord } from '../model/run.js';
import { mapConcurrent } from '../util/map-concurrent.js';
import { isDataMissing } from './missing-data.js';

/** One output of a run with what it was made from. */
export interface RunOutput {
  readonly item: DataItem;
  /** The job that made it; absent for runs BioImageIT v1 wrote (it kept no jobs). */
  readonly jobId?: string;
  /** Its inputs in the tool's order: input name and item id (the item, when it still exists). */
  readonly inputs: readonly { readonly name: string; readonly id: string; readonly item?: DataItem }[];
  /** Its data file is a local file that does not exist: never written (a v1 tool that failed), or removed since. */
  readonly missing?: true;
}

/** The items a run touched, for showing it. */
export interface RunItems {
  /** Every item a job or output names that still exists, by id. */
  readonly byId: ReadonlyMap<string, DataItem>;
  /** The run's outputs in input order (see {@link runItems}). */
  readonly outputs: readonly RunOutput[];
}

/**
 * The outputs of `run` in input order, with the items its jobs used, for `bioimageit runs show`
 * and the REST API. A run this implementation made lists each job's outputs in job order (jobs
 * are planned in the order of their inputs), whatever order they finished in. A run BioImageIT v1
 * wrote has no jobs: its outputs are the items of its dataset whose origin names it, ordered by
 * the position of their first input in that input's dataset. Local data files (`file:` URIs) are
 * checked; those that do not exist are flagged `missing` (v1 registered the outputs of a tool
 * even when the tool failed and never wrote them).
 *
 * @throws StorageError from the store when a dataset the run names cannot be read (an input
 * dataset that was deleted is skipped).
 */
export async function runItems(store: ExperimentStore, run: RunRecord): Promise<RunItems> {
  const byId = new Map<string, DataItem>();
  const position = new Map<string, number>();
  const datasets = [...new Set([run.dataset, ...run.inputs.map((i) => i.dataset)])];
  for (const name of datasets) {
    const items = await store.items(name).catch((error: unknown) => {
      if (name !== run.dataset && isBioImageItError(error) && error.code === 'NOT_FOUND') return [];
      throw error;
    });
    items.forEach((item, k) => {
      byId.set(item.id, item);
      position.set(item.id, k);
    });
  }
  const wanted = run.jobs.flatMap((j) => [...Object.values(j.inputs).flat(), ...j.outputs]).filter((id) => !byId.has(id));
  for (const id of new Set(wanted)) {
    const item = await store.getItem(id).catch(() => undefined);
    if (item !== undefined) byId.set(id, item);
  }
  const made: { item: DataItem; jobId?: string }[] =
    run.jobs.length > 0
      ? [...run.jobs]
          .sort((a, b) => a.index - b.index)
          .flatMap((job) => job.outputs.flatMap((id) => (byId.has(id) ? [{ item: byId.get(id) as DataItem, jobId: job.id }] : [])))
      : v1Outputs(run, byId, position);
  const outputs = await mapConcurrent(made, 16, async ({ item, jobId }): Promise<RunOutput> => {
    const origin = item.origin.type === 'processed' ? item.origin.inputs : [];
    const inputs = origin.map((i) => ({ name: i.name, id: i.id, ...(byId.has(i.id) && { item: byId.get(i.id) }) }));
    return { item, ...(jobId !== undefined && { jobId }), inputs, ...((await isDataMissing(item)) && { missing: true as const }) };
  });
  return { byId, outputs };
}

/** The items of a v1 run's dataset made by it, ordered by the position of their first input. */
function v1Outputs(run: RunRecord, byId: ReadonlyMap<string, DataItem>, position: ReadonlyMap<string, number>): { item: DataItem }[] {
  const made = [...byId.values()].filter((item) => item.dataset === run.dataset && item.origin.type === 'processed' && item.origin.run.id === run.id);
  const rank = (item: DataItem): number => {
    const first = item.origin.type === 'processed' ? item.origin.inputs[0]?.id : undefined;
    return first === undefined ? Number.MAX_SAFE_INTEGER : (position.get(first) ?? Number.MAX_SAFE_INTEGER);
  };
  return made.sort((a, b) => rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((item) => ({ item }));
}

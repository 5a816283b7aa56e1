import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';

/** The committed outputs of one earlier job, found through their origin. */
export interface CommittedJob {
  readonly runId: string;
  readonly jobId: string;
  readonly cacheKey: string;
  /** Its output items, in stored order. */
  readonly items: readonly DataItem[];
}

/**
 * Every committed job of the experiment by content key, read from the origins of the items of all
 * processed datasets (items written by v1 have no key and are ignored). Only successful jobs commit
 * items, and they commit all their outputs at once, so an entry is a complete, successful job.
 */
export async function indexCommittedJobs(store: ExperimentStore): Promise<Map<string, CommittedJob[]>> {
  const datasets = (await store.listDatasets()).filter((d) => d.kind === 'processed');
  const lists = await Promise.all(datasets.map((d) => store.items(d.name)));
  const jobs = new Map<string, { runId: string; jobId: string; cacheKey: string; items: DataItem[] }>();
  for (const item of lists.flat()) {
    if (item.origin.type !== 'processed' || item.origin.job === undefined) continue;
    const { id: jobId, cacheKey } = item.origin.job;
    const runId = item.origin.run.id;
    const id = `${runId}\0${jobId}`;
    const job = jobs.get(id);
    if (job === undefined) jobs.set(id, { runId, jobId, cacheKey, items: [item] });
    else job.items.push(item);
  }
  const byKey = new Map<string, CommittedJob[]>();
  for (const job of jobs.values()) {
    const list = byKey.get(job.cacheKey);
    if (list === undefined) byKey.set(job.cacheKey, [job]);
    else list.push(job);
  }
  return byKey;
}

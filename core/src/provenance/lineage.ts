import { isBioImageItError } from '../errors/bioimageit-error.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import type { JobRecord, JobStatus, RunRecord } from '../model/run.js';
import { present } from './provenance-snapshot.js';

/** An item of the lineage; `missing` when an origin names an item that no longer exists. */
export interface LineageItemNode {
  readonly id: string;
  readonly kind: 'item';
  readonly itemId: string;
  readonly name: string;
  readonly dataset?: string;
  readonly format?: string;
  readonly origin?: 'raw' | 'processed';
  readonly sha256?: string;
  readonly missing?: true;
}

/** The job that made an item (reconstructed from the item's origin for v1 runs: no times). */
export interface LineageJobNode {
  readonly id: string;
  readonly kind: 'job';
  readonly runId: string;
  readonly jobId: string;
  readonly reconstructed: boolean;
  readonly status?: JobStatus;
  readonly start?: string;
  readonly end?: string;
  readonly exitCode?: number | null;
  readonly cachedFrom?: { readonly runId: string; readonly jobId: string };
}

/** The run a job belongs to; `missing` when the item's origin names a run record that is gone. */
export interface LineageRunNode {
  readonly id: string;
  readonly kind: 'run';
  readonly runId: string;
  readonly dataset?: string;
  readonly tool?: RunRecord['tool'];
  readonly parameters?: RunRecord['parameters'];
  readonly user?: string;
  readonly start?: string;
  readonly end?: string;
  readonly status?: RunRecord['status'];
  readonly missing?: true;
}

export type LineageNode = LineageItemNode | LineageJobNode | LineageRunNode;

/**
 * `item —wasGeneratedBy→ job` (role: the tool's output name), `job —used→ item` (role: the input
 * name), `job —partOf→ run`.
 */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: 'wasGeneratedBy' | 'used' | 'partOf';
  readonly role?: string;
}

/** Plain JSON lineage graph; `root` is the node id of the item asked about. */
export interface LineageGraph {
  readonly root: string;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
}

/** Node ids of the lineage graph. */
export const lineageIds = {
  item: (itemId: string): string => `item:${itemId}`,
  job: (runId: string, jobId: string): string => `job:${runId}/${jobId}`,
  run: (runId: string): string => `run:${runId}`,
};

/**
 * Where an item came from: its making job and run, the job's inputs, and recursively theirs,
 * back to raw items — followed through the items' stored origins (authoritative, also for v1
 * items), enriched with the run records. Rejects with StorageError NOT_FOUND for an unknown item.
 */
export async function lineage(store: ExperimentStore, itemId: string): Promise<LineageGraph> {
  const root = await store.getItem(itemId);
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const runs = new Map<string, Promise<readonly RunRecord[]>>();
  const runsOf = (dataset: string): Promise<readonly RunRecord[]> => {
    if (!runs.has(dataset)) runs.set(dataset, store.listRuns(dataset));
    return runs.get(dataset) as Promise<readonly RunRecord[]>;
  };
  const queue: { item: DataItem }[] = [{ item: root }];
  nodes.set(lineageIds.item(root.id), itemNode(root));
  while (queue.length > 0) {
    const { item } = queue.shift() as { item: DataItem };
    if (item.origin.type !== 'processed') continue;
    const origin = item.origin;
    const run = (await runsOf(item.dataset)).find((r) => r.id === origin.run.id);
    const job = findJob(run, item, origin.job?.id);
    const jobId = job?.id ?? origin.job?.id ?? `item-${item.id}`;
    const jobNodeId = lineageIds.job(origin.run.id, jobId);
    edges.push({ from: lineageIds.item(item.id), to: jobNodeId, relation: 'wasGeneratedBy', role: origin.output.name });
    if (nodes.has(jobNodeId)) continue;
    nodes.set(jobNodeId, jobNode(origin.run.id, jobId, job));
    const runNodeId = lineageIds.run(origin.run.id);
    if (!nodes.has(runNodeId)) nodes.set(runNodeId, runNode(origin.run.id, run));
    edges.push({ from: jobNodeId, to: runNodeId, relation: 'partOf' });
    for (const input of origin.inputs) {
      const inputNodeId = lineageIds.item(input.id);
      edges.push({ from: jobNodeId, to: inputNodeId, relation: 'used', role: input.name });
      if (nodes.has(inputNodeId)) continue;
      const found = await store.getItem(input.id).catch((err: unknown) => {
        if (isBioImageItError(err, 'storage') && err.code === 'NOT_FOUND') return undefined;
        throw err;
      });
      nodes.set(
        inputNodeId,
        found === undefined ? { id: inputNodeId, kind: 'item', itemId: input.id, name: input.uri || input.id, missing: true } : itemNode(found),
      );
      if (found !== undefined) queue.push({ item: found });
    }
  }
  return { root: lineageIds.item(root.id), nodes: [...nodes.values()], edges };
}

/** The job that made `item`: the one its origin names, else a non-cached job listing it as output. */
function findJob(run: RunRecord | undefined, item: DataItem, jobId: string | undefined): JobRecord | undefined {
  if (run === undefined) return undefined;
  if (jobId !== undefined) return run.jobs.find((j) => j.id === jobId);
  return run.jobs.find((j) => j.status !== 'cached' && j.outputs.includes(item.id));
}

function itemNode(item: DataItem): LineageItemNode {
  return {
    id: lineageIds.item(item.id),
    kind: 'item',
    itemId: item.id,
    name: item.name,
    dataset: item.dataset,
    format: item.format,
    origin: item.origin.type,
    ...(present(item.sha256) && { sha256: item.sha256 }),
  };
}

function jobNode(runId: string, jobId: string, job: JobRecord | undefined): LineageJobNode {
  const base = { id: lineageIds.job(runId, jobId), kind: 'job' as const, runId, jobId, reconstructed: job === undefined };
  if (job === undefined) return base;
  return {
    ...base,
    status: job.status,
    ...(present(job.start) && { start: job.start }),
    ...(present(job.end) && { end: job.end }),
    ...(job.exitCode !== undefined && { exitCode: job.exitCode }),
    ...(job.cachedFrom !== undefined && { cachedFrom: job.cachedFrom }),
  };
}

function runNode(runId: string, run: RunRecord | undefined): LineageRunNode {
  if (run === undefined) return { id: lineageIds.run(runId), kind: 'run', runId, missing: true };
  return {
    id: lineageIds.run(runId),
    kind: 'run',
    runId,
    dataset: run.dataset,
    tool: run.tool,
    parameters: run.parameters,
    status: run.status,
    ...(present(run.user) && { user: run.user }),
    ...(present(run.start) && { start: run.start }),
    ...(present(run.end) && { end: run.end }),
  };
}

import { StorageError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { DataItem } from '../model/data-item.js';
import type { Experiment } from '../model/experiment.js';
import type { JobRecord, JobStatus, RunRecord } from '../model/run.js';

/**
 * One execution to export: a job of a run, or — for runs written by BioImageIT v1, which record no
 * jobs — one output item's making, reconstructed from its origin (inputs, run; no times, no exit
 * code). Both RO-Crate actions and PROV activities are made from these.
 */
export interface ProvenanceActivity {
  /** Stable key `<runId>/<jobId>`; reconstructed activities use the job id `item-<outputItemId>`. */
  readonly key: string;
  readonly run: RunRecord;
  readonly jobId: string;
  /** The job record, absent on reconstructed (v1) activities. */
  readonly job?: JobRecord;
  readonly reconstructed: boolean;
  /**
   * The job's status; `unknown` for reconstructed (v1) activities: v1 records no status and
   * registers a run's outputs even when its tool failed, so nothing says the making succeeded.
   */
  readonly status: JobStatus | 'unknown';
  /** Inputs bound to the job, by tool input name, in order (only items that still exist). */
  readonly inputs: readonly { readonly name: string; readonly id: string }[];
  /** Output item ids (only items that still exist). For `cached` jobs: the reused items. */
  readonly outputs: readonly string[];
  /** Ids named by the record whose items no longer exist in the experiment. */
  readonly missing: readonly string[];
  readonly start?: string;
  readonly end?: string;
  readonly exitCode?: number | null;
  readonly error?: string;
  readonly cachedFrom?: { readonly runId: string; readonly jobId: string };
}

/** What the exporters read from a store, once. */
export interface ProvenanceSnapshot {
  readonly experiment: Experiment;
  /** Selected runs, oldest first. */
  readonly runs: readonly RunRecord[];
  /** Their activities, in run then job order; pending jobs (never started) are left out. */
  readonly activities: readonly ProvenanceActivity[];
  /** Every item of every dataset, by id. */
  readonly items: ReadonlyMap<string, DataItem>;
}

/** Selects runs to export; the default is every run of the experiment. */
export interface ProvenanceSelection {
  /** Run ids; every id must exist (StorageError NOT_FOUND otherwise). */
  readonly runs?: readonly string[];
}

/** A value the store left empty (v1 records have '' where we have nothing). */
export function present(value: string | undefined | null): value is string {
  return value !== undefined && value !== null && value.trim() !== '';
}

/** Loads the experiment, its items and the selected runs, and lists their activities. */
export async function loadProvenance(store: ExperimentStore, selection: ProvenanceSelection = {}): Promise<ProvenanceSnapshot> {
  const experiment = await store.info();
  const items = new Map<string, DataItem>();
  for (const dataset of await store.listDatasets()) for (const item of await store.items(dataset.name)) items.set(item.id, item);
  const allRuns = await store.listRuns();
  let runs = allRuns;
  if (selection.runs !== undefined) {
    const wanted = new Set(selection.runs);
    const unknown = [...wanted].filter((id) => !allRuns.some((r) => r.id === id));
    if (unknown.length > 0) {
      throw new StorageError('NOT_FOUND', `no run ${unknown.map((u) => `'${u}'`).join(', ')} in experiment '${experiment.name}'`, {
        details: { runs: unknown, experiment: experiment.uri },
      });
    }
    runs = allRuns.filter((r) => wanted.has(r.id));
  }
  const activities = runs.flatMap((run) => (run.jobs.length > 0 ? jobActivities(run, items) : reconstructedActivities(run, items)));
  return { experiment, runs, activities, items };
}

function jobActivities(run: RunRecord, items: ReadonlyMap<string, DataItem>): ProvenanceActivity[] {
  return [...run.jobs]
    .filter((job) => job.status !== 'pending')
    .sort((a, b) => a.index - b.index)
    .map((job) => {
      const named = Object.entries(job.inputs).flatMap(([name, ids]) => ids.map((id) => ({ name, id })));
      const missing = [...named.map((n) => n.id), ...job.outputs].filter((id) => !items.has(id));
      return {
        key: `${run.id}/${job.id}`,
        run,
        jobId: job.id,
        job,
        reconstructed: false,
        status: job.status,
        inputs: named.filter((n) => items.has(n.id)),
        outputs: job.outputs.filter((id) => items.has(id)),
        missing,
        ...(present(job.start) && { start: job.start }),
        ...(present(job.end) && { end: job.end }),
        ...(job.exitCode !== undefined && { exitCode: job.exitCode }),
        ...(present(job.error) && { error: job.error }),
        ...(job.cachedFrom !== undefined && { cachedFrom: job.cachedFrom }),
      };
    });
}

/** v1 runs: one activity per item of the run's dataset whose origin names the run. */
function reconstructedActivities(run: RunRecord, items: ReadonlyMap<string, DataItem>): ProvenanceActivity[] {
  const made = [...items.values()].filter((item) => item.origin.type === 'processed' && item.origin.run.id === run.id);
  return made
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((item) => {
      const origin = item.origin.type === 'processed' ? item.origin : undefined;
      const inputs = (origin?.inputs ?? []).map((i) => ({ name: i.name, id: i.id }));
      return {
        key: `${run.id}/item-${item.id}`,
        run,
        jobId: `item-${item.id}`,
        reconstructed: true,
        status: 'unknown' as const,
        inputs: inputs.filter((i) => items.has(i.id)),
        outputs: [item.id],
        missing: inputs.filter((i) => !items.has(i.id)).map((i) => i.id),
      };
    });
}

/** Ids of every item an activity list touches (inputs and outputs), first use first. */
export function involvedItems(activities: readonly ProvenanceActivity[]): string[] {
  const seen = new Set<string>();
  for (const a of activities) for (const id of [...a.inputs.map((i) => i.id), ...a.outputs]) seen.add(id);
  return [...seen];
}

/** The person who ran an activity: the run's user, else the author of its first output. */
export function activityUser(activity: ProvenanceActivity, items: ReadonlyMap<string, DataItem>): string {
  if (present(activity.run.user)) return activity.run.user;
  const author = activity.outputs.map((id) => items.get(id)?.author).find(present);
  return author ?? 'unknown';
}

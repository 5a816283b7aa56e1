import type { JobRecord, RunRecord, RunStatus } from '../model/run.js';
import type { ToolParamValue } from '../tools/tool-manifest.js';

/**
 * The status of a finished run: `cancelled` when it was aborted before every job ended, else
 * `succeeded` when no job failed (cached jobs count as successes; a run of no jobs succeeds),
 * `failed` when none succeeded, `partial` otherwise.
 */
export function finalRunStatus(jobs: readonly JobRecord[], aborted: boolean): RunStatus {
  if (aborted && jobs.some((j) => j.status === 'cancelled' || j.status === 'pending' || j.status === 'running')) return 'cancelled';
  const ok = jobs.filter((j) => j.status === 'succeeded' || j.status === 'cached').length;
  if (ok === jobs.length) return 'succeeded';
  return ok === 0 ? 'failed' : 'partial';
}

/** Parameters as v1 stores them: name/value strings, in the given order. */
export function parameterStrings(params: Readonly<Record<string, ToolParamValue>>): { name: string; value: string }[] {
  return Object.entries(params).map(([name, value]) => ({ name, value: String(value) }));
}

/** A job id from its 0-based index: `job-0001`. */
export function jobIdFor(index: number): string {
  return `job-${String(index + 1).padStart(4, '0')}`;
}

/** Today as `YYYY-MM-DD` (v1's day-precision dates). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Fields of a run record that a recorder other than the job engine may have left unwritten. */
type UnwrittenField = 'runner' | 'host' | 'user' | 'start';

/**
 * A run record as `runs list/show --json` and the REST API show it: the fields its recorder never
 * wrote are absent instead of empty strings. Only runs BioImageIT v1 wrote have such fields.
 */
export type ShownRunRecord = Omit<RunRecord, UnwrittenField | 'tool'> &
  Partial<Pick<RunRecord, UnwrittenField>> & {
    readonly tool: Omit<RunRecord['tool'], 'digest' | 'version'> & Partial<Pick<RunRecord['tool'], 'digest' | 'version'>>;
  };

/**
 * `run` without the fields BioImageIT v1 never wrote: for a record with `recordedBy:
 * 'bioimageit-v1'`, the empty tool digest (and version, when v1's key had none), runner, host,
 * user and start are left out; any other record is returned as it is.
 */
export function shownRunRecord(run: RunRecord): ShownRunRecord {
  if (run.recordedBy !== 'bioimageit-v1') return run;
  const written = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '')) as T;
  return { ...written(run), tool: written(run.tool) };
}

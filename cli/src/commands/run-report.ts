import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentStore, Kernel, RunRecord } from '@bioimageit/core';
import type { Output } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { UsageError } from '../usage-error.js';

/** Exit code of a run: 0 succeeded, 1 failed or partial, 130 cancelled (as after Ctrl-C). */
export function runExitCode(record: RunRecord): number {
  if (record.status === 'succeeded') return 0;
  return record.status === 'cancelled' ? 130 : 1;
}

/** The local folder of a processed dataset (where its run logs live), when it has one. */
export async function datasetFolder(store: ExperimentStore, dataset: string): Promise<string | undefined> {
  const info = (await store.listDatasets()).find((d) => d.name === dataset);
  if (info === undefined || !info.uri.startsWith('file:')) return undefined;
  const path = fileURLToPath(info.uri);
  return path.endsWith('.json') ? dirname(path) : path;
}

/** A log path of a job record made absolute against the dataset folder. */
export function logPath(folder: string | undefined, relative: string | undefined): string | undefined {
  if (relative === undefined) return undefined;
  return isAbsolute(relative) || folder === undefined ? relative : join(folder, relative);
}

/**
 * A run's status for people: its status, or `unknown (recorded by BioImageIT v1)` for the runs
 * v1 wrote (v1 records no outcome).
 */
export function runStatusText(record: RunRecord): string {
  return record.recordedBy === 'bioimageit-v1' ? 'unknown (recorded by BioImageIT v1)' : record.status;
}

/** Counts of job statuses, e.g. `3 succeeded, 1 cached, 2 failed`. */
export function jobCounts(record: RunRecord): string {
  const counts = new Map<string, number>();
  for (const job of record.jobs) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ') || 'no jobs';
}

/** Prints the human summary of a finished run: status, counts, failed jobs with their logs. */
export async function printRunSummary(output: Output, store: ExperimentStore, record: RunRecord, label = 'run'): Promise<void> {
  const folder = await datasetFolder(store, record.dataset);
  output.out(`${label} ${record.id} ${record.status}: ${record.jobs.length} job(s) (${jobCounts(record)}) into dataset '${record.dataset}'`);
  const failed = record.jobs.filter((j) => j.status === 'failed');
  for (const job of failed.slice(0, 10)) {
    const log = logPath(folder, job.stderr ?? job.stdout);
    output.err(`  ${job.id} failed: ${job.error ?? 'unknown error'}${log ? ` (log: ${log})` : ''}`);
  }
  if (failed.length > 10) output.err(`  ... and ${failed.length - 10} more failed job(s): bioimageit runs show ${record.id}`);
  if (record.status !== 'succeeded' && folder !== undefined) output.err(`logs: ${join(folder, 'logs', record.id)}`);
}

/**
 * Draws a progress bar from the kernel's job hooks while `work` runs (jobs finished / total), and
 * turns the first Ctrl-C (SIGINT) into an abort of `controller`; a second Ctrl-C is not caught.
 */
export async function withRunProgress<T>(kernel: Kernel, output: Output, label: string, controller: AbortController, work: () => Promise<T>): Promise<T> {
  const bar = new ProgressBar(output, label);
  let total = 0;
  let done = 0;
  kernel.hooks.beforeRun.tap('bioimageit-cli', (run) => {
    total = run.jobCount;
    done = 0;
    bar.update(done, total);
  });
  kernel.hooks.jobFinished.tap('bioimageit-cli', (job) => {
    done += 1;
    bar.update(done, total, `${job.jobId} ${job.status}`);
  });
  const onSigint = (): void => {
    bar.done();
    output.err('cancelling: stopping running jobs (press Ctrl-C again to force)...');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    return await work();
  } finally {
    process.removeListener('SIGINT', onSigint);
    bar.done();
  }
}

/** `--jobs N` as a positive integer; UsageError otherwise. */
export function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs must be a positive integer, got '${value}'`);
  return n;
}

/** Comma-separated keys (`Population,number`), trimmed, empty ones dropped. */
export function parseKeys(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== '');
}

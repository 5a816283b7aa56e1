import { rm, rmdir, unlink } from 'node:fs/promises';
import type { Runner, RunnerOptionValue } from '../extension-points/runner.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { JobEvent, KernelHooks } from '../hooks/kernel-hooks.js';
import type { DataItem } from '../model/data-item.js';
import type { JobRecord } from '../model/run.js';
import type { FormatRegistry } from '../registry/registries.js';
import type { ToolManifest, ToolParamValue } from '../tools/tool-manifest.js';
import { CommitBatcher, type BatchLimits } from './commit-batcher.js';
import { oneLine, prepareJob, runPreparedJob, type JobContext, type JobExecution, type JobSetup, type PreparedJob } from './job-executor.js';
import type { JobPlan } from './run-request.js';
import { WorkerLogs, type LogSlice } from './worker-logs.js';

/** What a session shares between its jobs. */
export interface SessionContext {
  readonly runId: string;
  readonly dataset: string;
  readonly manifest: ToolManifest;
  readonly params: Readonly<Record<string, ToolParamValue>>;
  readonly env: Readonly<Record<string, string>>;
  readonly runner: Runner;
  /** The run's validated runner options; absent when it set none. */
  readonly runnerOptions?: Readonly<Record<string, RunnerOptionValue>>;
  readonly store: ExperimentStore;
  readonly formats: FormatRegistry;
  readonly hooks: KernelHooks;
  readonly author: string;
  readonly date: string;
  readonly signal: AbortSignal;
  readonly concurrency: number;
  readonly batch?: BatchLimits;
}

/**
 * Executes the pending jobs of one run with a pool of `concurrency` workers and keeps their
 * records. A finished job's logs are kept with the run (`saveRunLog`; for succeeded jobs only
 * non-empty logs), its outputs go to a {@link CommitBatcher}, and its record is final once its
 * commit is done (jobFinished fires then, with the committed output ids). Once the signal is
 * aborted no new job starts; jobs never started end `cancelled`; outputs of jobs that had fully
 * succeeded before are still committed. Nothing here writes the run record: the engine does, at
 * the start and at the end.
 */
export class RunSession {
  readonly warnings: string[] = [];
  private readonly batcher: CommitBatcher;
  /** Work a job leaves behind once it ended (commit, staging removal, jobFinished), awaited by `execute`. */
  private readonly commits: Promise<void>[] = [];

  constructor(
    private readonly ctx: SessionContext,
    private readonly plans: readonly JobPlan[],
    /** Job records by plan index; pending ones are executed and replaced. */
    readonly records: JobRecord[],
  ) {
    this.batcher = new CommitBatcher((items) => ctx.store.commitProcessedItems(ctx.dataset, items), ctx.batch);
  }

  /**
   * Runs every pending job; resolves when all have ended and every commit is settled. Each worker
   * prepares its next job (staging folder, inputs, argv) while the current one runs, so the next
   * process starts as soon as the previous one exits.
   */
  async execute(): Promise<void> {
    const pending = this.records.map((r, i) => (r.status === 'pending' ? i : -1)).filter((i) => i >= 0);
    let next = 0;
    const claim = (): { index: number; prepared: Promise<PreparedJob | JobExecution> } | undefined => {
      if (next >= pending.length || this.ctx.signal.aborted) return undefined;
      const index = pending[next++] as number;
      return { index, prepared: prepareJob(this.setup(index)) };
    };
    const worker = async (k: number): Promise<void> => {
      const logs = new WorkerLogs(this.ctx.store, `${this.ctx.runId.slice(0, 8)}-worker${k + 1}`);
      let ahead = claim();
      try {
        while (ahead !== undefined && !this.ctx.signal.aborted) {
          const current = ahead;
          const prepared = await current.prepared;
          if (this.ctx.signal.aborted) break;
          ahead = claim();
          await this.runJob(current.index, prepared, logs);
        }
      } finally {
        if (ahead !== undefined) await this.cleanup((await ahead.prepared).staging);
        await logs.dispose();
      }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, this.ctx.concurrency), pending.length) }, (_, k) => worker(k)));
    await this.batcher.flush();
    await Promise.all(this.commits);
    for (const [i, record] of this.records.entries()) {
      if (record.status === 'pending' || record.status === 'running')
        this.records[i] = { ...record, status: 'cancelled', error: 'run cancelled before the job started' };
    }
  }

  /** Fires jobFinished for a job that was settled without running (cached, already done). */
  async announce(index: number): Promise<void> {
    const record = this.records[index] as JobRecord;
    if (record.status !== 'cached' && record.status !== 'succeeded') return;
    await this.finished(index, record);
  }

  private event(index: number): JobEvent {
    const record = this.records[index] as JobRecord;
    return { runId: this.ctx.runId, jobId: record.id, index, jobCount: this.records.length, inputs: record.inputs };
  }

  private setup(index: number): JobSetup {
    const { ctx } = this;
    const record = this.records[index] as JobRecord;
    return {
      runId: ctx.runId,
      jobId: record.id,
      cacheKey: record.cacheKey,
      plan: this.plans[index] as JobPlan,
      manifest: ctx.manifest,
      params: ctx.params,
      env: ctx.env,
      runner: ctx.runner,
      ...(ctx.runnerOptions !== undefined && { runnerOptions: ctx.runnerOptions }),
      store: ctx.store,
      formats: ctx.formats,
      author: ctx.author,
      date: ctx.date,
    };
  }

  private async runJob(index: number, prepared: PreparedJob | JobExecution, workerLogs: WorkerLogs): Promise<void> {
    const record = this.records[index] as JobRecord;
    const { ctx } = this;
    const logPaths = await workerLogs.paths();
    this.records[index] = { ...record, status: 'running', start: new Date().toISOString() };
    this.guard('jobStarted', () => ctx.hooks.jobStarted.call(this.event(index)));
    const watched = ctx.hooks.jobProgress.taps.length > 0;
    const context: JobContext = {
      ...this.setup(index),
      signal: ctx.signal,
      logs: logPaths,
      ...(watched && {
        onProgress: (p: { fraction: number; message: string }) => this.guard('jobProgress', () => ctx.hooks.jobProgress.call({ ...this.event(index), ...p })),
      }),
    };
    const execution =
      'argv' in prepared
        ? await runPreparedJob(context, prepared).catch((error: unknown): JobExecution => {
            const now = new Date().toISOString();
            return { status: 'failed', staging: prepared.staging, start: now, end: now, outputs: [], error: oneLine(error) };
          })
        : prepared;
    const logs = await this.keepLogs(record.id, execution, workerLogs);
    const ended: JobRecord = {
      ...record,
      status: execution.status,
      start: execution.start,
      end: execution.end,
      ...(execution.exitCode !== undefined && { exitCode: execution.exitCode }),
      ...(execution.signal !== undefined && { signal: execution.signal }),
      ...(execution.error !== undefined && { error: execution.error }),
      ...(execution.environment !== undefined && { environment: execution.environment }),
      ...logs,
    };
    if (execution.status !== 'succeeded' || execution.outputs.length === 0) {
      this.records[index] = ended;
      // Off the worker's path: the next job starts now; `execute` waits for these before it returns.
      this.commits.push(this.cleanup(execution.staging).then(() => this.finished(index, ended)));
      return;
    }
    this.commits.push(
      this.batcher.add(execution.outputs).then(
        async (items) => {
          this.records[index] = { ...ended, outputs: items.map((i) => i.id) };
          await this.cleanup(execution.staging);
          await this.finished(index, this.records[index] as JobRecord, items);
        },
        async (error: unknown) => {
          this.records[index] = { ...ended, status: 'failed', error: `outputs could not be committed: ${oneLine(error)}` };
          await this.cleanup(execution.staging);
          await this.finished(index, this.records[index] as JobRecord);
        },
      ),
    );
  }

  /**
   * Stores a job's logs with the run (its slice of the worker's log files); returns the stored
   * paths for its record. Empty logs of succeeded jobs are not kept; failed jobs keep both.
   */
  private async keepLogs(jobId: string, execution: JobExecution, workerLogs: WorkerLogs): Promise<{ stdout?: string; stderr?: string }> {
    const slice: LogSlice = await workerLogs.slice();
    const kept: { stdout?: string; stderr?: string } = {};
    await Promise.all(
      (['stdout', 'stderr'] as const).map(async (stream) => {
        const [start, end] = slice[stream];
        if (end <= start && execution.status === 'succeeded') return;
        let file: string | undefined;
        try {
          file = await workerLogs.extract(stream, slice, `${jobId}.${stream}.log`);
          kept[stream] = await this.ctx.store.saveRunLog(this.ctx.dataset, this.ctx.runId, `${jobId}.${stream}.log`, file);
        } catch (error) {
          this.warnings.push(`job ${jobId}: could not keep its ${stream} log: ${oneLine(error)}`);
        } finally {
          if (file !== undefined) await unlink(file).catch(() => undefined);
        }
      }),
    );
    return kept;
  }

  /** Fires jobFinished; `committed`: the output items the job has just committed. */
  private async finished(index: number, record: JobRecord, committed?: readonly DataItem[]): Promise<void> {
    const status =
      record.status === 'succeeded' || record.status === 'failed' || record.status === 'cancelled' || record.status === 'cached' ? record.status : 'failed';
    const event = {
      ...this.event(index),
      status,
      exitCode: record.exitCode ?? (status === 'succeeded' || status === 'cached' ? 0 : null),
      ...(record.error !== undefined && { error: record.error }),
      outputs: record.outputs,
      store: this.ctx.store,
      ...(committed !== undefined && { committed }),
    };
    try {
      await this.ctx.hooks.jobFinished.promise(event);
    } catch (error) {
      this.warnings.push(`jobFinished: ${oneLine(error)}`);
    }
  }

  private guard(hook: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      const warning = `${hook}: ${oneLine(error)}`;
      if (!this.warnings.includes(warning)) this.warnings.push(warning);
    }
  }

  /** Removes a job's staging folder: usually empty by now (outputs moved), so one rmdir. */
  private async cleanup(staging: string): Promise<void> {
    if (staging === '') return;
    await rmdir(staging)
      .catch(() => rm(staging, { recursive: true, force: true }))
      .catch(() => undefined);
  }
}

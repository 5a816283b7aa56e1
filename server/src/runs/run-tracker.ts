import type { ExperimentStore, Kernel, RunOutcome, RunRecord, ToolManifest, ToolRunRequest } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { RunEventBus, type LiveRun } from './run-events.js';

const TAP = 'server';

interface Tracked {
  live: LiveRun;
  readonly controller: AbortController;
  readonly progress: Map<string, number>;
  done: Promise<unknown>;
}

interface Pending {
  readonly experimentUri: string;
  readonly toolId: string;
  readonly claim: (runId: string, jobCount: number, dataset: string) => void;
}

/** What `start` returns once the engine accepted the run. */
export interface StartedRun {
  readonly runId: string;
  readonly jobCount: number;
  readonly dataset: string;
}

/**
 * Runs started through the API: starts them on the kernel's job engine, follows them through the
 * kernel hooks (beforeRun, jobStarted, jobProgress, jobFinished) and publishes every change on
 * {@link events}. `start` resolves as soon as the engine has checked the request and fired
 * `beforeRun` (so that bad parameters or queries are the request's error, not a failed run), and
 * the run goes on in the background. Starts are serialized so that each `beforeRun` is matched to
 * the request that caused it.
 */
export class RunTracker {
  readonly events = new RunEventBus();
  private readonly runs = new Map<string, Tracked>();
  private pending: Pending | undefined;
  private starting: Promise<unknown> = Promise.resolve();

  /**
   * `redact` cleans the error texts a run state or job event carries (the server's PathRedactor:
   * no folder of the server reaches a client).
   */
  constructor(
    private readonly kernel: Kernel,
    private readonly redact: (text: string) => string = (text) => text,
  ) {
    const hooks = kernel.hooks;
    hooks.beforeRun.tapPromise(TAP, async (event) => {
      const p = this.pending;
      if (p !== undefined && p.experimentUri === event.experimentUri && p.toolId === event.toolId) {
        this.pending = undefined;
        p.claim(event.runId, event.jobCount, event.dataset ?? '');
      }
    });
    hooks.jobStarted.tap(TAP, (job) => this.update(job.runId, (t) => t.progress.set(job.jobId, 0), { jobId: job.jobId, status: 'running' }));
    hooks.jobProgress.tap(TAP, (job) => {
      if (job.fraction !== undefined) this.update(job.runId, (t) => t.progress.set(job.jobId, job.fraction as number));
    });
    hooks.jobFinished.tapPromise(TAP, async (job) => {
      this.update(
        job.runId,
        (t) => {
          t.progress.delete(job.jobId);
          t.live = { ...t.live, finished: t.live.finished + 1, failed: t.live.failed + (job.status === 'failed' ? 1 : 0) };
        },
        { jobId: job.jobId, status: job.status, ...(job.error !== undefined && { error: this.redact(job.error) }) },
      );
    });
  }

  /**
   * Starts `request` on `store` (exposed as experiment `experimentId`). Rejects with the engine's
   * error (bad parameters, bad query, nothing selected...) when the run cannot start.
   */
  async start(experimentId: string, store: ExperimentStore, tool: ToolManifest, request: Omit<ToolRunRequest, 'tool' | 'signal'>): Promise<StartedRun> {
    return (await this.launch(experimentId, store, tool, request)).started;
  }

  /**
   * Like {@link start}, and also hands back the run's outcome (the pipeline runner waits for it);
   * the outcome rejects when the run fails as a whole (the tracker has recorded it by then).
   */
  async launch(
    experimentId: string,
    store: ExperimentStore,
    tool: ToolManifest,
    request: Omit<ToolRunRequest, 'tool' | 'signal'>,
  ): Promise<{ readonly started: StartedRun; readonly outcome: Promise<RunOutcome> }> {
    const previous = this.starting;
    let release!: () => void;
    this.starting = new Promise<void>((r) => (release = r));
    await previous;
    try {
      const controller = new AbortController();
      const claimed = new Promise<StartedRun>((resolve) => {
        this.pending = {
          experimentUri: store.uri,
          toolId: tool.id,
          claim: (runId, jobCount, dataset) => {
            const progress = new Map<string, number>();
            const live: LiveRun = { runId, experiment: experimentId, tool: tool.id, dataset, status: 'running', jobCount, finished: 0, failed: 0, fraction: 0 };
            this.runs.set(runId, { live, controller, progress, done: Promise.resolve() });
            this.events.publish({ type: 'run', experiment: experimentId, runId, data: live });
            resolve({ runId, jobCount, dataset });
          },
        };
      });
      const running = this.kernel.runTool(store, { ...request, tool, signal: controller.signal });
      const started = await Promise.race([claimed, running.then((o) => ({ finishedEarly: o }))]);
      this.pending = undefined;
      if ('finishedEarly' in started) throw new ApiError('CONFLICT', `run of '${tool.id}' ended before it started (no beforeRun)`);
      const tracked = this.runs.get(started.runId) as Tracked;
      tracked.done = running.then(
        (outcome) => this.finish(started.runId, outcome.record),
        (error: unknown) => this.fail(started.runId, error),
      );
      return { started, outcome: running };
    } catch (error) {
      this.pending = undefined;
      throw error;
    } finally {
      release();
    }
  }

  /** Asks a running run to stop (its running jobs are killed, nothing partial is committed). */
  cancel(runId: string): LiveRun {
    const tracked = this.runs.get(runId);
    if (tracked === undefined) throw new ApiError('NOT_FOUND', `run '${runId}' was not started by this server or is unknown`, { details: { run: runId } });
    if (tracked.live.status !== 'running')
      throw new ApiError('CONFLICT', `run '${runId}' is already ${tracked.live.status}`, { details: { run: runId, status: tracked.live.status } });
    tracked.controller.abort();
    return tracked.live;
  }

  /** The live state of a run this server started, if any. */
  get(runId: string): LiveRun | undefined {
    return this.runs.get(runId)?.live;
  }

  /** Runs started by this server, newest last. */
  list(): LiveRun[] {
    return [...this.runs.values()].map((t) => t.live);
  }

  /** Resolves when a run this server started has ended (tests, shutdown). */
  async settled(runId: string): Promise<LiveRun | undefined> {
    await this.runs.get(runId)?.done;
    return this.get(runId);
  }

  /** Cancels every running run and waits for them to end (server shutdown). */
  async stopAll(): Promise<void> {
    const running = [...this.runs.values()].filter((t) => t.live.status === 'running');
    for (const t of running) t.controller.abort();
    await Promise.all(running.map((t) => t.done.catch(() => undefined)));
  }

  private update(runId: string, change: (t: Tracked) => void, job?: Record<string, unknown>): void {
    const tracked = this.runs.get(runId);
    if (tracked === undefined) return;
    change(tracked);
    const running = [...tracked.progress.values()].reduce((a, b) => a + b, 0);
    const fraction = tracked.live.jobCount === 0 ? 0 : Math.min(1, (tracked.live.finished + running) / tracked.live.jobCount);
    tracked.live = { ...tracked.live, fraction };
    if (job !== undefined) this.events.publish({ type: 'job', experiment: tracked.live.experiment, runId, data: job });
    this.events.publish({ type: 'run', experiment: tracked.live.experiment, runId, data: tracked.live });
  }

  private finish(runId: string, record: RunRecord): void {
    const tracked = this.runs.get(runId) as Tracked;
    const failed = record.jobs.filter((j) => j.status === 'failed');
    const error = failed.length > 0 ? this.redact(`${failed.length} job(s) failed: ${failed[0]?.error ?? 'see the logs'}`) : undefined;
    tracked.live = {
      ...tracked.live,
      // `unknown` is only ever read from runs BioImageIT v1 wrote; the job engine never records it.
      status: record.status === 'unknown' ? 'failed' : record.status,
      fraction: 1,
      finished: record.jobs.length,
      failed: failed.length,
      ...(error !== undefined && { error }),
    };
    this.events.publish({ type: 'run', experiment: tracked.live.experiment, runId, data: tracked.live });
  }

  private fail(runId: string, error: unknown): void {
    const tracked = this.runs.get(runId) as Tracked;
    const code = (error as { code?: unknown }).code;
    const status: LiveRun['status'] = code === 'CANCELLED' || tracked.controller.signal.aborted ? 'cancelled' : 'failed';
    const message = this.redact(error instanceof Error ? error.message : String(error));
    tracked.live = { ...tracked.live, status, error: message };
    this.events.publish({ type: 'run', experiment: tracked.live.experiment, runId, data: tracked.live });
  }
}

import { randomUUID } from 'node:crypto';
import {
  orderSteps,
  runPipeline,
  type ExperimentStore,
  type Kernel,
  type Pipeline,
  type PipelineRunOptions,
  type RunRequest,
  type RunStatus,
} from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { RunTracker } from './run-tracker.js';

/** One step of a pipeline run, as the API shows it. */
export interface PipelineStepState {
  readonly name: string;
  readonly tool: string;
  readonly outputDataset: string;
  status: 'pending' | 'running' | RunStatus | 'skipped';
  /** The step's run, once started (its progress also comes as `run` events). */
  runId?: string;
  jobCount?: number;
  /** Why the step failed, one line. */
  error?: string;
  /** Why a skipped step did not run. */
  reason?: string;
}

/** Settings of every step of a pipeline run started through the API. */
export type PipelineStartOptions = Pick<PipelineRunOptions, 'runner' | 'runnerOptions' | 'jobs' | 'cache'>;

/** A pipeline run this server started. */
export interface LivePipelineRun {
  readonly id: string;
  readonly experiment: string;
  readonly pipeline: string;
  readonly file: string;
  /** The runner every step runs on, when the request named one (else each tool's own choice). */
  readonly runner?: string;
  /** The runner options of every step, when the request set some. */
  readonly runnerOptions?: Readonly<Record<string, string | number | boolean>>;
  status: 'running' | RunStatus;
  readonly start: string;
  end?: string;
  /** Why the pipeline stopped, one line. */
  error?: string;
  /** In execution order (a step after the steps it reads from). */
  readonly steps: PipelineStepState[];
}

/**
 * Pipeline runs started through the API: each runs core's `runPipeline` in the background (what
 * `kernel.runPipeline` does) with every step started through the {@link RunTracker}, so that step
 * runs show in the GUI's progress panels and event stream like any run. Keeps each pipeline's
 * state per step (pending, running, then the run's status, or skipped after a step that did not
 * succeed) for `GET …/pipelines/runs/{id}`.
 */
export class PipelineTracker {
  private readonly runs = new Map<string, { live: LivePipelineRun; done: Promise<void>; controller: AbortController }>();

  constructor(
    private readonly kernel: Kernel,
    private readonly tracker: RunTracker,
  ) {}

  /**
   * Starts `pipeline` on `store` (experiment `experimentId`) and returns its state at once. Throws
   * before anything runs when the steps form a cycle or name an unknown step (ToolError
   * BAD_PARAMETER) or a tool that is not installed (ToolError NOT_FOUND). `runner`: the runner of
   * every step, and `jobs` and `cache` (core's PipelineRunOptions).
   */
  async start(experimentId: string, store: ExperimentStore, pipeline: Pipeline, file: string, options: PipelineStartOptions = {}): Promise<LivePipelineRun> {
    const { runner, runnerOptions } = options;
    const ordered = orderSteps(pipeline);
    for (const step of ordered) await this.kernel.tools().getTool(step.tool);
    const live: LivePipelineRun = {
      id: randomUUID(),
      experiment: experimentId,
      pipeline: pipeline.name,
      file,
      ...(runner !== undefined && { runner }),
      ...(runnerOptions !== undefined && { runnerOptions }),
      status: 'running',
      start: new Date().toISOString(),
      steps: ordered.map((s) => ({ name: s.name, tool: s.tool, outputDataset: s.outputDataset, status: 'pending' })),
    };
    const byDataset = new Map(live.steps.map((s) => [s.outputDataset, s]));
    const controller = new AbortController();
    const services = {
      resolveTool: (id: string) => this.kernel.tools().getTool(id),
      run: async (s: ExperimentStore, request: RunRequest) => {
        const step = byDataset.get(request.outputDataset) as PipelineStepState;
        step.status = 'running';
        const { tool, signal: _signal, ...rest } = request;
        try {
          const { started, outcome } = await this.tracker.launch(experimentId, s, tool, rest);
          step.runId = started.runId;
          step.jobCount = started.jobCount;
          const result = await outcome;
          step.status = result.record.status;
          const error = this.tracker.get(started.runId)?.error;
          if (error !== undefined) step.error = error;
          return result;
        } catch (error) {
          step.status = 'failed';
          step.error = oneLine(error);
          throw error;
        }
      },
    };
    const done = runPipeline(store, pipeline, services, { ...options, signal: controller.signal }).then(
      (outcome) => {
        for (const result of outcome.steps) {
          const step = live.steps.find((s) => s.name === result.step);
          if (step !== undefined && result.status === 'skipped') {
            step.status = 'skipped';
            if (result.reason !== undefined) step.reason = result.reason;
          }
        }
        live.status = outcome.status;
        const bad = live.steps.find((s) => s.status !== 'succeeded' && s.status !== 'skipped');
        if (bad !== undefined) live.error = `step '${bad.name}' ended ${bad.status}${bad.error !== undefined ? `: ${bad.error}` : ''}`;
        live.end = new Date().toISOString();
      },
      (error: unknown) => {
        const failed = live.steps.find((s) => s.status === 'failed' || s.status === 'running');
        if (failed !== undefined) failed.status = 'failed';
        for (const step of live.steps)
          if (step.status === 'pending') {
            step.status = 'skipped';
            step.reason = failed !== undefined ? `step '${failed.name}' ended failed` : 'the pipeline failed';
          }
        live.status = controller.signal.aborted ? 'cancelled' : 'failed';
        live.error = failed !== undefined ? `step '${failed.name}' failed: ${oneLine(error)}` : oneLine(error);
        live.end = new Date().toISOString();
      },
    );
    this.runs.set(live.id, { live, done, controller });
    return live;
  }

  /** A pipeline run of experiment `experimentId`; ApiError NOT_FOUND otherwise. */
  get(experimentId: string, id: string): LivePipelineRun {
    const run = this.runs.get(id)?.live;
    if (run === undefined || run.experiment !== experimentId)
      throw new ApiError('NOT_FOUND', `no pipeline run '${id}' in experiment ${experimentId} (pipeline runs are kept while the server runs)`, {
        details: { run: id },
      });
    return run;
  }

  /** Pipeline runs of experiment `experimentId` this server started, oldest first. */
  list(experimentId: string): LivePipelineRun[] {
    return [...this.runs.values()].map((r) => r.live).filter((r) => r.experiment === experimentId);
  }

  /**
   * Stops a running pipeline: no further step starts, and the step running now is cancelled
   * (nothing partial is committed). ApiError NOT_FOUND for an unknown run, CONFLICT when it has ended.
   */
  cancel(experimentId: string, id: string): LivePipelineRun {
    const live = this.get(experimentId, id);
    if (live.status !== 'running')
      throw new ApiError('CONFLICT', `pipeline run '${id}' is already ${live.status}`, { details: { run: id, status: live.status } });
    this.runs.get(id)?.controller.abort();
    for (const step of live.steps)
      if (step.status === 'running' && step.runId !== undefined && this.tracker.get(step.runId)?.status === 'running') this.tracker.cancel(step.runId);
    return live;
  }

  /** Resolves when a pipeline run has ended (tests). */
  async settled(id: string): Promise<LivePipelineRun | undefined> {
    await this.runs.get(id)?.done;
    return this.runs.get(id)?.live;
  }

  /**
   * Stops every running pipeline from starting further steps (at once, before the returned
   * promise settles) and resolves when they have ended; the step running then is cancelled by
   * the run tracker's own `stopAll` (server shutdown calls both).
   */
  stopAll(): Promise<void> {
    const running = [...this.runs.values()].filter((r) => r.live.status === 'running');
    for (const r of running) r.controller.abort();
    return Promise.all(running.map((r) => r.done)).then(() => undefined);
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

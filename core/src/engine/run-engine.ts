import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { join } from 'node:path';
import { StorageError, RunnerError, ToolError } from '../errors/area-errors.js';
import { BioImageItError } from '../errors/bioimageit-error.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { Runner, RunnerOptionValue } from '../extension-points/runner.js';
import type { KernelHooks, RunEvent } from '../hooks/kernel-hooks.js';
import type { JobRecord, RunRecord } from '../model/run.js';
import type { FormatRegistry, RunnerRegistry } from '../registry/registries.js';
import { expandArgv } from '../tools/expand-argv.js';
import type { ToolManifest, ToolParamValue } from '../tools/tool-manifest.js';
import { validateParams } from '../tools/validate-params.js';
import { CORE_VERSION } from '../version.js';
import { InputChecksums, jobCacheKey } from './cache-key.js';
import { chooseRunner } from './choose-runner.js';
import type { BatchLimits } from './commit-batcher.js';
import { indexCommittedJobs, type CommittedJob } from './committed-jobs.js';
import { planJobs } from './plan-jobs.js';
import { recordedRunnerOptions, validateRunnerOptions } from './runner-options.js';
import { finalRunStatus, jobIdFor, parameterStrings, today } from './run-record.js';
import { mapConcurrent } from '../util/map-concurrent.js';
import type { JobPlan, RunOutcome, RunRequest } from './run-request.js';
import { RunSession } from './run-session.js';
import { selectInputs } from './select-inputs.js';

/** What the engine runs with; the kernel passes its own. */
export interface RunEngineOptions {
  readonly hooks: KernelHooks;
  readonly runners: RunnerRegistry;
  readonly formats: FormatRegistry;
  /** Recorded as the run's user and the outputs' author. */
  readonly user: string;
  /** Configured values of `{env.NAME}` placeholders. */
  readonly env?: Readonly<Record<string, string>>;
  /** Versions recorded with each run besides core's (`{ '@bioimageit/cli': '0.1.0' }`). */
  readonly software?: Readonly<Record<string, string>>;
  /** Commit batching (default: 50 jobs or 250 ms). */
  readonly batch?: BatchLimits;
}

/**
 * The job engine: runs a tool over selected data (see {@link RunRequest} for inputs and pairing).
 *
 * Order of a run: validate parameters, select and pair inputs, expand the first job's argv (bad
 * parameters and unset `{env.NAME}` fail here, before anything is written), choose the runner and
 * check the run's `runnerOptions` against its declaration (see validateRunnerOptions), compute every job's content key, fire `beforeRun` (a tap may veto by throwing: nothing is
 * written), create the output dataset, write the run record (status `running`, every job
 * `pending`, `cached` or already done), execute the pending jobs, and write the record once more
 * with the final statuses. The record is never rewritten per job.
 *
 * - Cache: a job whose content key matches a job already committed in the experiment is `cached`:
 *   it runs nothing and records the earlier outputs (`cachedFrom`). `cache: false` turns it off.
 * - Resume: `resume: true` continues the latest run of the output dataset still marked `running`
 *   for the same tool (after a crash or kill -9): same run id; jobs whose outputs that run already
 *   committed are `succeeded` and never committed again; the rest run. Without such a run, a new
 *   run starts (`resumed: false`).
 * - Cancel: aborting `request.signal` kills running jobs (their outputs are never committed),
 *   starts no new job, commits the outputs of jobs that had fully succeeded, and ends the run
 *   `cancelled`.
 * - Hooks: beforeRun; jobStarted, jobProgress (progress lines in tool output, see
 *   `parseProgressLine`), jobFinished (after the commit for succeeded jobs); afterRun for every
 *   run that ends; runFailed when it ends `failed` or `cancelled`, or throws after it started.
 *   Failing taps of job hooks and afterRun are reported in `warnings`, never fail the run.
 */
/** A run writes into a processed dataset: naming the raw one is refused before anything starts (no hook, no record). */
async function refuseRawOutput(store: ExperimentStore, manifest: ToolManifest, dataset: string): Promise<void> {
  const raw = (await store.listDatasets()).find((d) => d.kind === 'raw');
  if (raw === undefined || raw.name !== dataset) return;
  throw new ToolError(
    'BAD_PARAMETER',
    `tool '${manifest.id}': output dataset '${dataset}' is the raw dataset of the experiment; a run writes into a processed dataset: choose another name`,
    {
      details: { tool: manifest.id, dataset },
    },
  );
}

export class RunEngine {
  constructor(private readonly options: RunEngineOptions) {}

  async run(store: ExperimentStore, request: RunRequest): Promise<RunOutcome> {
    const { hooks } = this.options;
    const manifest = request.tool;
    const dataset = request.outputDataset;
    const params = validateParams(manifest, request.params ?? {});
    await refuseRawOutput(store, manifest, dataset);
    const selection = await selectInputs(store, manifest, request.inputs);
    const { plans, unmatched } = planJobs(selection, {
      toolId: manifest.id,
      reduce: manifest.type === 'reduce',
      ...(request.matchBy !== undefined && { matchBy: request.matchBy }),
      ...(request.groupBy !== undefined && { groupBy: request.groupBy }),
      ...(request.orderBy !== undefined && { orderBy: request.orderBy }),
      broadcast: request.inputs.filter((i) => i.broadcast === true).map((i) => i.name),
    });
    const env = { ...this.options.env, ...request.env };
    if (plans[0] !== undefined) preflight(manifest, params, env, plans[0]);
    const { runner, warning } = await chooseRunner(manifest, this.options.runners, hooks, request.runner);
    const runnerOptions = validateRunnerOptions(runner, request.runnerOptions);
    const optionsSet = Object.keys(runnerOptions).length > 0;
    const previous = request.resume === true ? await unfinishedRun(store, dataset, manifest) : undefined;
    const runId = previous?.id ?? randomUUID();
    const checksums = new InputChecksums(store);
    const { key: environmentKey, warning: environmentWarning } = await runnerEnvironmentKey(
      runner,
      manifest,
      request.signal,
      optionsSet ? runnerOptions : undefined,
    );
    const keys = await mapConcurrent(plans, 8, (plan) => jobCacheKey(manifest.digest, params, plan, checksums, environmentKey));
    const event: RunEvent = { runId, toolId: manifest.id, experimentUri: store.uri, jobCount: plans.length, dataset, runner: runner.id };
    await hooks.beforeRun.promise(event);
    await store.ensureProcessedDataset(dataset);
    const committed = request.cache !== false || previous !== undefined ? await indexCommittedJobs(store) : new Map<string, CommittedJob[]>();
    const records = uniqueIds(plans.map((plan, i) => initialJob(plan, keys[i] as string, runId, committed, request.cache !== false, manifest.outputs.length)));
    const base: RunRecord = {
      id: runId,
      dataset,
      tool: {
        id: manifest.id,
        name: manifest.name,
        version: manifest.version,
        digest: manifest.digest,
        source: manifest.source,
        ...(manifest.authors !== undefined && { authors: manifest.authors }),
        ...(manifest.license !== undefined && { license: manifest.license }),
        ...(manifest.cite !== undefined && { cite: manifest.cite }),
        ...(manifest.facts !== undefined && { facts: manifest.facts }),
      },
      parameters: parameterStrings(params),
      inputs: request.inputs.map((i) => ({
        name: i.name,
        dataset: i.dataset ?? 'data',
        query: i.query ?? '',
        ...(i.originOutputName && { originOutputName: i.originOutputName }),
        ...(i.broadcast === true && { broadcast: true }),
      })),
      ...(request.matchBy !== undefined && { matchBy: request.matchBy }),
      ...(request.groupBy !== undefined && { groupBy: request.groupBy }),
      ...(request.orderBy !== undefined && request.orderBy.length > 0 && { orderBy: request.orderBy }),
      runner: runner.id,
      ...(optionsSet && { runnerOptions: recordedRunnerOptions(runner, runnerOptions) }),
      host: os.hostname(),
      user: this.options.user,
      start: previous?.start ?? new Date().toISOString(),
      status: 'running',
      jobs: records,
      software: { '@bioimageit/core': CORE_VERSION, ...this.options.software },
    };
    await store.saveRun(base);
    const signal = request.signal ?? new AbortController().signal;
    const session = new RunSession(
      {
        runId,
        dataset,
        manifest,
        params,
        env,
        runner,
        ...(optionsSet && { runnerOptions }),
        store,
        formats: this.options.formats,
        hooks,
        author: this.options.user,
        date: today(),
        signal,
        concurrency: request.jobs ?? runner.defaultConcurrency ?? 1,
        ...(this.options.batch && { batch: this.options.batch }),
      },
      plans,
      [...records],
    );
    if (warning !== undefined) session.warnings.push(warning);
    if (environmentWarning !== undefined) session.warnings.push(environmentWarning);
    try {
      for (let i = 0; i < records.length; i++) await session.announce(i);
      await session.execute();
      const jobs = session.records;
      const record: RunRecord = { ...base, jobs, status: finalRunStatus(jobs, signal.aborted), end: new Date().toISOString() };
      await store.saveRun(record);
      const done: RunEvent = { ...event, status: record.status, record };
      if (record.status === 'failed' || record.status === 'cancelled') hooks.runFailed.call(done, runError(record));
      await hooks.afterRun.promise(done).catch((error: unknown) => session.warnings.push(`afterRun: ${(error as Error).message}`));
      return { record, unmatched, resumed: previous !== undefined, warnings: session.warnings };
    } catch (error) {
      const wrapped =
        error instanceof BioImageItError ? error : new RunnerError('UNAVAILABLE', `run ${runId} stopped: ${(error as Error).message}`, { cause: error });
      try {
        hooks.runFailed.call({ ...event, status: 'failed' }, wrapped);
      } catch {
        // the original error matters more
      }
      throw error;
    }
  }
}

/** Expands the first job's argv with stand-in paths, so bad parameters or unset `{env.NAME}` fail before anything is written. */
function preflight(manifest: ToolManifest, params: Readonly<Record<string, ToolParamValue>>, env: Readonly<Record<string, string>>, plan: JobPlan): void {
  const inputs = Object.fromEntries(Object.keys(plan.bindings).map((name) => [name, join('inputs', name)]));
  const outputs = Object.fromEntries(manifest.outputs.map((o) => [o.name, join('outputs', o.name)]));
  expandArgv(manifest, { inputs, outputs, params, env });
}

/** The latest run of `dataset` still marked running for the same tool, if any. */
async function unfinishedRun(store: ExperimentStore, dataset: string, manifest: ToolManifest): Promise<RunRecord | undefined> {
  let runs: readonly RunRecord[];
  try {
    runs = await store.listRuns(dataset);
  } catch (error) {
    if (error instanceof StorageError && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
  return runs.filter((r) => r.status === 'running' && r.tool.id === manifest.id && r.tool.digest === manifest.digest).at(-1);
}

/** The runner's environment key for the tool (Runner.environmentKey); a failure becomes a warning and no key. */
async function runnerEnvironmentKey(
  runner: Runner,
  tool: ToolManifest,
  signal?: AbortSignal,
  runnerOptions?: Readonly<Record<string, RunnerOptionValue>>,
): Promise<{ key?: string; warning?: string }> {
  if (runner.environmentKey === undefined) return {};
  try {
    const key = await (runnerOptions === undefined ? runner.environmentKey(tool, signal) : runner.environmentKey(tool, signal, runnerOptions));
    return key === undefined ? {} : { key };
  } catch (error) {
    return { warning: `runner '${runner.id}' could not tell the environment of tool '${tool.id}' (${(error as Error).message}); cache keys leave it out` };
  }
}

function initialJob(
  plan: JobPlan,
  cacheKey: string,
  runId: string,
  committed: ReadonlyMap<string, readonly CommittedJob[]>,
  cache: boolean,
  outputCount: number,
): JobRecord {
  const inputs = Object.fromEntries(Object.entries(plan.bindings).map(([name, items]) => [name, items.map((i) => i.id)]));
  const complete = (committed.get(cacheKey) ?? []).filter((c) => c.items.length >= outputCount);
  const own = complete.find((c) => c.runId === runId);
  if (own !== undefined) return { id: own.jobId, index: plan.index, inputs, status: 'succeeded', exitCode: 0, outputs: own.items.map((i) => i.id), cacheKey };
  const hit = cache ? complete[0] : undefined;
  if (hit !== undefined) {
    return {
      id: jobIdFor(plan.index),
      index: plan.index,
      inputs,
      status: 'cached',
      outputs: hit.items.map((i) => i.id),
      cacheKey,
      cachedFrom: { runId: hit.runId, jobId: hit.jobId },
    };
  }
  return { id: jobIdFor(plan.index), index: plan.index, inputs, status: 'pending', outputs: [], cacheKey };
}

/** Job ids kept from a resumed run win; a new job whose index-based id is taken gets a suffix. */
function uniqueIds(records: JobRecord[]): JobRecord[] {
  const kept = new Set(records.filter((r) => r.status === 'succeeded').map((r) => r.id));
  return records.map((r) => (r.status !== 'succeeded' && kept.has(r.id) ? { ...r, id: `${r.id}-${r.cacheKey.slice(0, 8)}` } : r));
}

function runError(record: RunRecord): RunnerError {
  if (record.status === 'cancelled') return new RunnerError('CANCELLED', `run ${record.id} was cancelled`, { details: { runId: record.id } });
  const failed = record.jobs.filter((j) => j.status === 'failed');
  const first = failed[0];
  return new RunnerError(
    'NON_ZERO_EXIT',
    `run ${record.id}: ${failed.length} of ${record.jobs.length} job(s) failed${first?.error ? ` (first: ${first.error})` : ''}`,
    {
      details: { runId: record.id, failed: failed.map((j) => j.id) },
    },
  );
}

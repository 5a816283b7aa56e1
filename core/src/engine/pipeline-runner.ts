import { ToolError } from '../errors/area-errors.js';
import type { ExperimentStore } from '../extension-points/storage-backend.js';
import type { RunStatus } from '../model/run.js';
import type { ToolManifest } from '../tools/tool-manifest.js';
import type { Pipeline, PipelineStep } from './pipeline-definition.js';
import type { RunInput, RunOutcome, RunRequest } from './run-request.js';

/** Settings applied to every step of a pipeline run. */
export interface PipelineRunOptions {
  readonly jobs?: number;
  readonly cache?: boolean;
  readonly runner?: string;
  /** Per-run options of the runner of every step (see RunRequest.runnerOptions); each step's run checks them against its runner. */
  readonly runnerOptions?: Readonly<Record<string, string | number | boolean>>;
  readonly env?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** What happened to one step: its run, or why it was skipped. */
export interface PipelineStepResult {
  readonly step: string;
  readonly status: RunStatus | 'skipped';
  readonly outcome?: RunOutcome;
  /** For skipped steps: the step that did not succeed. */
  readonly reason?: string;
}

export interface PipelineOutcome {
  readonly name: string;
  /** In execution order. */
  readonly steps: readonly PipelineStepResult[];
  /** `succeeded` when every step did; otherwise the status of the first step that did not. */
  readonly status: RunStatus;
}

/** How the pipeline runner reaches tools and the engine (the kernel passes its own). */
export interface PipelineServices {
  resolveTool(id: string): Promise<ToolManifest>;
  run(store: ExperimentStore, request: RunRequest): Promise<RunOutcome>;
}

/**
 * The steps of a pipeline in an order where every step comes after the steps it reads from (an
 * input naming a step, or a dataset that another step writes). Steps keep file order otherwise.
 * Throws ToolError BAD_PARAMETER for an input naming an unknown step or for a cycle (naming its steps).
 */
export function orderSteps(pipeline: Pipeline): PipelineStep[] {
  const byName = new Map(pipeline.steps.map((s) => [s.name, s]));
  const writer = new Map(pipeline.steps.map((s) => [s.outputDataset, s]));
  const deps = new Map<string, Set<string>>();
  for (const step of pipeline.steps) {
    const needs = new Set<string>();
    for (const input of step.inputs) {
      if (input.step !== undefined && !byName.has(input.step)) {
        throw new ToolError('BAD_PARAMETER', `pipeline '${pipeline.name}': step '${step.name}' input '${input.name}' names unknown step '${input.step}'`, {
          details: { step: step.name },
        });
      }
      const from = input.step ?? writer.get(input.dataset ?? 'data')?.name;
      if (from !== undefined && from !== step.name) needs.add(from);
      if (from === step.name) throw cycle(pipeline.name, [step.name]);
    }
    deps.set(step.name, needs);
  }
  const ordered: PipelineStep[] = [];
  const placed = new Set<string>();
  while (ordered.length < pipeline.steps.length) {
    const ready = pipeline.steps.find((s) => !placed.has(s.name) && [...(deps.get(s.name) ?? [])].every((d) => placed.has(d)));
    if (ready === undefined)
      throw cycle(
        pipeline.name,
        pipeline.steps.filter((s) => !placed.has(s.name)).map((s) => s.name),
      );
    ordered.push(ready);
    placed.add(ready.name);
  }
  return ordered;
}

function cycle(pipeline: string, steps: readonly string[]): ToolError {
  return new ToolError('BAD_PARAMETER', `pipeline '${pipeline}': steps ${steps.map((s) => `'${s}'`).join(', ')} depend on each other in a cycle`, {
    details: { steps },
  });
}

/**
 * Runs a pipeline's steps in dependency order through the job engine. A step reading from an
 * earlier step gets exactly that step's outputs of this pipeline run (cached ones included), then
 * its query. Because every job is cached by content, re-running a pipeline executes only the jobs
 * whose tool, parameters or inputs changed: an unchanged step is served from the cache, and a
 * step after a changed one re-runs only if its inputs' content changed. Steps after a step that
 * did not succeed (failed, partial, cancelled) are skipped. Every tool is resolved before any step runs.
 */
export async function runPipeline(
  store: ExperimentStore,
  pipeline: Pipeline,
  services: PipelineServices,
  options: PipelineRunOptions = {},
): Promise<PipelineOutcome> {
  const steps = orderSteps(pipeline);
  const tools = new Map<string, ToolManifest>();
  for (const step of steps) if (!tools.has(step.tool)) tools.set(step.tool, await services.resolveTool(step.tool));
  const produced = new Map<string, { dataset: string; ids: string[] }>();
  const writer = new Map(pipeline.steps.map((s) => [s.outputDataset, s.name]));
  const results: PipelineStepResult[] = [];
  let blocked: string | undefined;
  for (const step of steps) {
    if (blocked !== undefined || options.signal?.aborted) {
      results.push({ step: step.name, status: 'skipped', reason: blocked ?? 'pipeline cancelled' });
      continue;
    }
    const inputs = step.inputs.map((input): RunInput => {
      const from = input.step ?? writer.get(input.dataset ?? 'data');
      const upstream = from === undefined || from === step.name ? undefined : produced.get(from);
      const base = {
        name: input.name,
        ...(input.query !== undefined && { query: input.query }),
        ...(input.originOutputName !== undefined && { originOutputName: input.originOutputName }),
        ...(input.broadcast === true && { broadcast: true }),
      };
      return upstream === undefined ? { ...base, dataset: input.dataset ?? 'data' } : { ...base, dataset: upstream.dataset, itemIds: upstream.ids };
    });
    const outcome = await services.run(store, {
      tool: tools.get(step.tool) as ToolManifest,
      params: step.params,
      inputs,
      outputDataset: step.outputDataset,
      ...(step.matchBy !== undefined && { matchBy: step.matchBy }),
      ...(step.groupBy !== undefined && { groupBy: step.groupBy }),
      ...(step.orderBy !== undefined && { orderBy: step.orderBy }),
      ...(options.jobs !== undefined && { jobs: options.jobs }),
      ...(options.cache !== undefined && { cache: options.cache }),
      ...(options.runner !== undefined && { runner: options.runner }),
      ...(options.runnerOptions !== undefined && { runnerOptions: options.runnerOptions }),
      ...(options.env !== undefined && { env: options.env }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    produced.set(step.name, { dataset: step.outputDataset, ids: outcome.record.jobs.flatMap((j) => j.outputs) });
    results.push({ step: step.name, status: outcome.record.status, outcome });
    if (outcome.record.status !== 'succeeded') blocked = `step '${step.name}' ended ${outcome.record.status}`;
  }
  const firstBad = results.find((r) => r.status !== 'succeeded' && r.status !== 'skipped');
  return { name: pipeline.name, steps: results, status: firstBad === undefined ? 'succeeded' : (firstBad.status as RunStatus) };
}

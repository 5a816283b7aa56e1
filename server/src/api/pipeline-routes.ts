import { ToolError, validateRunnerOptions } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import type { LivePipelineRun } from '../runs/pipeline-tracker.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const error = (description: string) => ({ description, schema: ref('Error') });

/** Pipelines: the pipeline files the workspace offers, starting one on an experiment, and its state per step. */
export function pipelineRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/pipelines',
      operationId: 'listPipelines',
      summary: "Pipeline files of the workspace: the JSON files of its 'pipelines/' folder and the '*pipeline*.json' files of the tool folders",
      description: 'Each with its name (what a run names), file name and steps; a file that cannot run is listed with its error.',
      tag: 'pipelines',
      responses: { 200: { description: 'pipelines', schema: { type: 'array', items: ref('PipelineSummary') } } },
      handle: async () => ({
        json: (await ctx.pipelineFiles.list()).map((p) => (p.error === undefined ? p : { ...p, error: ctx.catalog.redactor.redact(p.error) })),
      }),
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/pipelines/runs',
      operationId: 'startPipeline',
      summary: 'Start a pipeline of the workspace (by its name, never a path) on an experiment; its steps run one after the other in the background',
      description:
        'Every step runs as a run of its tool (shown by GET /api/events and the run list); a step after one that did not succeed is skipped. ' +
        'Follow the pipeline with GET .../pipelines/runs/{run}.',
      tag: 'pipelines',
      pathParameters: experimentParam,
      body: ref('PipelineStart'),
      responses: {
        202: { description: 'the pipeline started', schema: ref('PipelineRun') },
        400: error(
          'no pipeline of that name in the workspace, a pipeline file that cannot run, steps in a cycle, an unknown runner, or a runner option it does not take',
        ),
        404: error('no such experiment, or a step names a tool that is not installed'),
        503: error('the runner asked for cannot start on this server'),
      },
      handle: async ({ params, body }) => {
        const id = params['experiment'] as string;
        const store = await ctx.catalog.open(id);
        const request = body as {
          pipeline: string;
          runner?: string;
          runnerOptions?: Record<string, string | number | boolean>;
          jobs?: number;
          cache?: boolean;
        };
        const { entry, pipeline } = await ctx.pipelineFiles.get(request.pipeline);
        // the steps run in the background: an unknown runner or a bad runner option is the request's error, not a failed first step
        const runnerOptions = await checkedPipelineRunnerOptions(ctx, request.runner, request.runnerOptions);
        const options = {
          ...(request.runner !== undefined && { runner: request.runner }),
          ...(runnerOptions !== undefined && { runnerOptions }),
          ...(request.jobs !== undefined && { jobs: request.jobs }),
          ...(request.cache !== undefined && { cache: request.cache }),
        };
        return { status: 202, json: await ctx.pipelines.start(id, store, pipeline, entry.file, options) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/pipelines/runs',
      operationId: 'listPipelineRuns',
      summary: 'Pipeline runs of the experiment this server started (kept while it runs), oldest first, each with its steps',
      tag: 'pipelines',
      pathParameters: experimentParam,
      responses: { 200: { description: 'pipeline runs', schema: { type: 'array', items: ref('PipelineRun') } }, 404: error('no such experiment') },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { json: ctx.pipelines.list(id).map((run) => shown(ctx, run)) };
      },
    },
    {
      method: 'POST',
      path: '/api/experiments/{experiment}/pipelines/runs/{run}/cancel',
      operationId: 'cancelPipelineRun',
      summary: 'Stop a running pipeline: its running step is cancelled (nothing partial is committed) and no further step starts',
      tag: 'pipelines',
      pathParameters: { ...experimentParam, run: 'pipeline run id (from the POST)' },
      responses: {
        202: { description: 'stopping', schema: ref('PipelineRun') },
        404: error('no such experiment or pipeline run'),
        409: error('the pipeline run has ended'),
      },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { status: 202, json: shown(ctx, ctx.pipelines.cancel(id, params['run'] as string)) };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/pipelines/runs/{run}',
      operationId: 'getPipelineRun',
      summary: 'A pipeline run started by this server: its status and each step (pending, running, succeeded, failed, skipped) with its run id',
      tag: 'pipelines',
      pathParameters: { ...experimentParam, run: 'pipeline run id (from the POST)' },
      responses: { 200: { description: 'the pipeline run', schema: ref('PipelineRun') }, 404: error('no such experiment or pipeline run') },
      handle: async ({ params }) => {
        const id = params['experiment'] as string;
        await ctx.catalog.open(id);
        return { json: shown(ctx, ctx.pipelines.get(id, params['run'] as string)) };
      },
    },
  ];
}

/** A pipeline run as the API shows it: error texts without the server's folders. */
function shown(ctx: ServerContext, run: LivePipelineRun) {
  const redact = (text: string | undefined) => (text === undefined ? {} : { error: ctx.catalog.redactor.redact(text) });
  return { ...run, ...redact(run.error), steps: run.steps.map((s) => ({ ...s, ...redact(s.error) })) };
}

/**
 * The runner options of a pipeline start, checked against the runner it names before any step
 * runs (ToolError BAD_PARAMETER naming the option, a 400); options without a runner are refused,
 * as the steps could then run on different runners. Also starts the runner (RunnerError NO_RUNNER, a 400).
 */
async function checkedPipelineRunnerOptions(
  ctx: ServerContext,
  runnerId: string | undefined,
  given: Readonly<Record<string, string | number | boolean>> | undefined,
): Promise<Record<string, string | number | boolean> | undefined> {
  if (runnerId === undefined) {
    if (given !== undefined && Object.keys(given).length > 0)
      throw new ToolError('BAD_PARAMETER', "runnerOptions need a runner: name the runner of every step with 'runner'", {
        details: { option: Object.keys(given)[0] },
      });
    return undefined;
  }
  const runner = await ctx.kernel.runners.get(runnerId);
  if (given === undefined) return undefined;
  const options = validateRunnerOptions(runner, given);
  return Object.keys(options).length > 0 ? options : undefined;
}

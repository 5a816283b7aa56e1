import type { ApiRoute } from '../http/api-route.js';
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
        400: error('no pipeline of that name in the workspace, a pipeline file that cannot run, or steps in a cycle'),
        404: error('no such experiment, or a step names a tool that is not installed'),
      },
      handle: async ({ params, body }) => {
        const id = params['experiment'] as string;
        const store = await ctx.catalog.open(id);
        const { entry, pipeline } = await ctx.pipelineFiles.get((body as { pipeline: string }).pipeline);
        return { status: 202, json: await ctx.pipelines.start(id, store, pipeline, entry.file) };
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
        const run = ctx.pipelines.get(id, params['run'] as string);
        const redact = (text: string | undefined) => (text === undefined ? {} : { error: ctx.catalog.redactor.redact(text) });
        return { json: { ...run, ...redact(run.error), steps: run.steps.map((s) => ({ ...s, ...redact(s.error) })) } };
      },
    },
  ];
}

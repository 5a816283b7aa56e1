import { CORE_VERSION, type Experiment } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const error = (description: string) => ({ description, schema: ref('Error') });
const notFound = error('no such experiment');

interface ExperimentCreateBody {
  readonly name: string;
  readonly author?: string;
  readonly keys?: readonly string[];
}

/** Server facts and the experiments: list, create, one with its datasets and tag keys, delete. */
export function experimentRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api',
      operationId: 'getServerInfo',
      summary: 'Server version, user and whether a token is required',
      tag: 'server',
      responses: { 200: { description: 'server facts', schema: ref('ServerInfo') } },
      handle: async () => ({
        json: { name: 'bioimageit', version: ctx.version, coreVersion: CORE_VERSION, user: ctx.kernel.config.user.name, tokenRequired: ctx.tokenRequired },
      }),
    },
    {
      method: 'GET',
      path: '/api/experiments',
      operationId: 'listExperiments',
      summary: 'Experiments of the workspace and those the server was started with',
      tag: 'experiments',
      responses: { 200: { description: 'experiments', schema: { type: 'array', items: ref('ExperimentSummary') } } },
      handle: async () => ({
        json: (await ctx.catalog.list()).map((e) => ({ id: e.id, name: e.name, author: e.author, date: e.date, keys: e.keys })),
      }),
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}',
      operationId: 'getExperiment',
      summary: 'One experiment: tag keys and datasets with their item counts',
      tag: 'experiments',
      pathParameters: experimentParam,
      responses: { 200: { description: 'the experiment', schema: ref('Experiment') }, 404: notFound },
      handle: async ({ params }) => {
        const info = await (await ctx.catalog.open(params['experiment'] as string)).info();
        return { json: experimentJson(info) };
      },
    },
    {
      method: 'POST',
      path: '/api/experiments',
      operationId: 'createExperiment',
      summary: "Create an empty experiment in the workspace's experiments location",
      description:
        'Created where `bioimageit experiment create` creates experiments (the workspace setting `experiments`), through its storage backend; ' +
        'the name is a plain name (no folders), so nothing is created elsewhere. The author defaults to the configured user.',
      tag: 'experiments',
      body: ref('ExperimentCreate'),
      responses: {
        201: { description: 'the experiment created', schema: ref('Experiment') },
        400: error('malformed body or a name the storage refuses'),
        409: error('an experiment of that name exists'),
        501: error("the experiments location's storage cannot create experiments"),
      },
      handle: async ({ body }) => {
        const request = body as ExperimentCreateBody;
        const store = await ctx.kernel.createExperiment(
          { name: request.name, author: request.author ?? ctx.kernel.config.user.name, ...(request.keys !== undefined && { keys: request.keys }) },
          ctx.kernel.experimentsLocation(),
        );
        await ctx.catalog.adopt(store);
        return { status: 201, json: experimentJson(await store.info()) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/experiments/{experiment}',
      operationId: 'deleteExperiment',
      summary: 'Delete an experiment of the workspace and the files it holds (files referenced in place are kept); asks for its name as confirmation',
      description:
        "The query parameter `confirm` must repeat the experiment's name exactly, so that no experiment is deleted by a wrong id. " +
        'Refused while a run, pipeline or import of this server works on it (409), and for experiments the server was started with (`-e`, 403). ' +
        'A storage backend that cannot delete answers 501.',
      tag: 'experiments',
      pathParameters: experimentParam,
      query: [
        { name: 'confirm', required: true, schema: { type: 'string', minLength: 1, maxLength: 300 }, description: "the experiment's name, as confirmation" },
      ],
      responses: {
        200: { description: 'deleted', schema: ref('ExperimentDeleted') },
        400: error("`confirm` is missing or is not the experiment's name"),
        403: error('the experiment is not one of the workspace (served with -e)'),
        404: notFound,
        409: error('a run, pipeline or import is working on the experiment'),
        501: error("the experiment's storage cannot delete experiments"),
      },
      handle: async ({ params, query }) => {
        const id = params['experiment'] as string;
        const summary = await ctx.catalog.workspaceExperiment(id);
        if (query['confirm'] !== summary.name)
          throw new ApiError(
            'BAD_REQUEST',
            `to delete experiment '${summary.name}' (id ${id}), give its name as confirmation: ?confirm=${encodeURIComponent(summary.name)}`,
            {
              details: { experiment: id, confirm: query['confirm'] },
            },
          );
        const busy = [
          ...ctx.runs
            .list()
            .filter((r) => r.experiment === id && r.status === 'running')
            .map((r) => `run ${r.runId}`),
          ...ctx.pipelines
            .list(id)
            .filter((p) => p.status === 'running')
            .map((p) => `pipeline run ${p.id}`),
          ...ctx.imports
            .list(id)
            .filter((i) => i.status === 'running')
            .map((i) => `import ${i.id}`),
        ];
        if (busy.length > 0)
          throw new ApiError('CONFLICT', `experiment '${summary.name}' is in use (${busy.join(', ')}): cancel or wait for it, then delete`, {
            details: { experiment: id, busy },
          });
        await ctx.catalog.forget(id);
        await ctx.kernel.deleteExperiment(summary.uri);
        return { json: { id, name: summary.name, deleted: true } };
      },
    },
  ];
}

/** An experiment as GET /api/experiments/{experiment} shows it (no storage URI). */
function experimentJson(info: Experiment) {
  return {
    id: info.id,
    name: info.name,
    author: info.author,
    date: info.date,
    keys: info.keys,
    datasets: info.datasets.map((d) => ({ id: d.id, name: d.name, kind: d.kind, itemCount: d.itemCount })),
  };
}

import { CORE_VERSION } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const experimentParam = { experiment: 'experiment id (from GET /api/experiments)' };
const notFound = { description: 'no such experiment', schema: ref('Error') };

/** Server facts and the experiments: list, and one with its datasets and tag keys. */
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
        return {
          json: {
            id: info.id,
            name: info.name,
            author: info.author,
            date: info.date,
            keys: info.keys,
            datasets: info.datasets.map((d) => ({ id: d.id, name: d.name, kind: d.kind, itemCount: d.itemCount })),
          },
        };
      },
    },
  ];
}

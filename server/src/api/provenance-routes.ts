import { buildProvJson, buildRoCrate, lineage } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const error = (description: string) => ({ description, schema: ref('Error') });

/** Provenance: the experiment's runs as W3C PROV-JSON or RO-Crate metadata, and one item's lineage graph. */
export function provenanceRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/provenance',
      operationId: 'exportProvenance',
      summary: 'The runs of an experiment as W3C PROV-JSON or RO-Crate 1.1 metadata (Process Run Crate)',
      description:
        "RO-Crate metadata references the data files by their URIs (no files are copied); it declares the workspace's licence and names its user (by ORCID iD when configured) as author.",
      tag: 'provenance',
      pathParameters: { experiment: 'experiment id (from GET /api/experiments)' },
      query: [
        { name: 'format', schema: { enum: ['prov-json', 'ro-crate'], default: 'prov-json' }, description: 'document type' },
        { name: 'run', schema: { type: 'string', minLength: 1 }, description: 'only this run (default: all runs)' },
      ],
      responses: { 200: { description: 'the document', schema: { type: 'object' } }, 400: error('bad format'), 404: error('no such experiment') },
      handle: async ({ params, query }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        const runs = query['run'] === undefined ? {} : { runs: [query['run'] as string] };
        const { license, user } = ctx.kernel.config;
        const doc =
          query['format'] === 'ro-crate'
            ? await buildRoCrate(store, { ...runs, copyData: false, author: user, ...(license !== undefined && { license }) })
            : await buildProvJson(store, runs);
        return { json: doc };
      },
    },
    {
      method: 'GET',
      path: '/api/experiments/{experiment}/items/{item}/lineage',
      operationId: 'getItemLineage',
      summary: 'How an item was made: its job, run and inputs, back to raw data',
      tag: 'provenance',
      pathParameters: { experiment: 'experiment id', item: 'item id' },
      responses: { 200: { description: 'the lineage graph', schema: ref('Lineage') }, 404: error('no such experiment or item') },
      handle: async ({ params }) => {
        const store = await ctx.catalog.open(params['experiment'] as string);
        return { json: await lineage(store, params['item'] as string) };
      },
    },
  ];
}

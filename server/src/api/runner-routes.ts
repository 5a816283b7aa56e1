import { describeRunners } from '@bioimageit/core';
import type { ApiRoute } from '../http/api-route.js';
import { ref } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

/** Runners: what a run's `runner` may name, with the options each takes per run (`runnerOptions`). */
export function runnerRoutes(ctx: ServerContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/runners',
      operationId: 'listRunners',
      summary: 'Runners of the kernel (`local` and those of the configured plugins), each with the options a run may set for it',
      description:
        "Each option has a type, a description and, where the runner has one configured, its default (the runner's setting). " +
        'Listing a runner starts its plugin, as a run on it would; one that cannot start on this server is listed with `available: false` and the reason, and no options.',
      tag: 'runs',
      responses: { 200: { description: 'runners, by id', schema: { type: 'array', items: ref('Runner') } } },
      handle: async () => ({
        json: (await describeRunners(ctx.kernel.runners)).map((r) => (r.reason === undefined ? r : { ...r, reason: ctx.catalog.redactor.redact(r.reason) })),
      }),
    },
  ];
}

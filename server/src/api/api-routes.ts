import type { ApiRoute } from '../http/api-route.js';
import { checkRoutes } from './check-routes.js';
import { eventRoutes } from './event-routes.js';
import { experimentRoutes } from './experiment-routes.js';
import { imageRoutes } from './image-routes.js';
import { importRoutes } from './import-routes.js';
import { itemRoutes } from './item-routes.js';
import { buildOpenApiDocument, openApiRoute, type OpenApiDocument } from './openapi-document.js';
import { pipelineRoutes } from './pipeline-routes.js';
import { provenanceRoutes } from './provenance-routes.js';
import { runRoutes } from './run-routes.js';
import { runnerRoutes } from './runner-routes.js';
import type { ServerContext } from './server-context.js';
import { tableRoutes } from './table-routes.js';
import { toolRoutes } from './tool-routes.js';
import { trackRoutes } from './track-routes.js';

/** Every API route, the OpenAPI document's own included, and that document. */
export function apiRoutes(ctx: ServerContext): { readonly routes: readonly ApiRoute[]; readonly document: OpenApiDocument } {
  const routes: ApiRoute[] = [
    ...experimentRoutes(ctx),
    ...checkRoutes(ctx),
    openApiRoute(() => document),
    ...importRoutes(ctx),
    ...itemRoutes(ctx),
    ...imageRoutes(ctx),
    ...tableRoutes(ctx),
    ...trackRoutes(ctx),
    ...toolRoutes(ctx),
    ...runRoutes(ctx),
    ...runnerRoutes(ctx),
    ...pipelineRoutes(ctx),
    ...eventRoutes(ctx),
    ...provenanceRoutes(ctx),
  ];
  const document = buildOpenApiDocument(routes, ctx.version);
  return { routes, document };
}

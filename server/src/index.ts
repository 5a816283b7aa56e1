/**
 * @bioimageit/server — the REST API and browser GUI of a BioImageIT workspace (`bioimageit serve`).
 * Applications call {@link startServer} with a kernel; the CLI's `serve` command does exactly that.
 */
export { startServer, type ServeOptions, type RunningServer } from './start-server.js';
export { ApiError, httpStatusOf, errorBody, type ApiErrorCode, type ErrorBody } from './api-error.js';
export { OPENAPI_PATH, buildOpenApiDocument, type OpenApiDocument, type OpenApiOperation } from './api/openapi-document.js';
export { API_SCHEMAS, resolveApiSchema } from './api/api-schemas.js';
export { validateJson, type JsonSchema, type JsonType, type SchemaResolver } from './http/json-schema.js';
export type { ApiRoute, ApiRequest, ApiReply, HttpMethod, QueryParameter, ResponseSpec } from './http/api-route.js';
export { parameterSchema, type ParameterFormHints } from './tools/parameter-schema.js';
export { TOKEN_COOKIE, isLoopbackHost } from './http/access-guard.js';
export type { LiveRun, RunStreamEvent } from './runs/run-events.js';
export type { LiveImport } from './imports/import-tracker.js';
export type { LivePipelineRun, PipelineStepState } from './runs/pipeline-tracker.js';
export type { ServerContext } from './api/server-context.js';
export { SERVER_VERSION } from './server-version.js';
export { serveCommandAction, type ServeFlags, type ServeHost } from './serve-command-action.js';

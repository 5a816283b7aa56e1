import { pathParameterNames, type ApiRoute } from '../http/api-route.js';
import { API_SCHEMAS, ref } from './api-schemas.js';

/** Where the document is served (also under `/.well-known/openapi.json`). */
export const OPENAPI_PATH = '/api/openapi.json';

/** An OpenAPI 3.1 document (the parts this server writes). */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  /** Where the API is: relative to the document, so that the one a client fetched names its own server. */
  readonly servers: readonly { readonly url: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: typeof API_SCHEMAS; readonly securitySchemes: Readonly<Record<string, unknown>> };
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Readonly<Record<string, { readonly description: string; readonly content?: Readonly<Record<string, { readonly schema?: unknown }>> }>>;
}

/**
 * The OpenAPI 3.1 document of `routes`, built from the same route objects the dispatcher serves, so
 * that every documented operation exists and every served one is documented. Every operation also
 * documents 401 (token missing or wrong, when one is required), 403 (a foreign Host) and 500;
 * operations with parameters 400, and those with a body 413 and 415.
 */
export function buildOpenApiDocument(routes: readonly ApiRoute[], version: string): OpenApiDocument {
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const route of routes) {
    const pathParameters = pathParameterNames(route.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      description: route.pathParameters?.[name] ?? name,
      schema: { type: 'string', minLength: 1 },
    }));
    const queryParameters = (route.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: q.required === true,
      description: q.description,
      schema: q.schema,
    }));
    const headerParameters = (route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: false, description: h.description, schema: h.schema }));
    const responses: Record<string, OpenApiOperation['responses'][string]> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        content: { [spec.contentType ?? 'application/json']: spec.schema === undefined ? {} : { schema: spec.schema } },
      };
    }
    const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    if (route.body !== undefined || (route.query ?? []).length > 0)
      responses['400'] ??= error('a malformed body or query parameter (the message lists every problem)');
    if (route.body !== undefined) {
      responses['413'] ??= error('the body is larger than 1 MiB');
      responses['415'] ??= error('the body is not application/json');
    }
    responses['403'] ??= error('the request names a Host that is not this server');
    responses['401'] ??= {
      description: 'a token is required and was missing or wrong',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    responses['500'] ??= {
      description: 'internal error (details only in the server log)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description !== undefined && { description: route.description }),
      tags: [route.tag],
      parameters: [...pathParameters, ...queryParameters, ...headerParameters],
      ...(route.body !== undefined && { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'BioImageIT REST API',
      version,
      description:
        'Experiments, datasets, items and tags, queries, tools and runs, provenance and image previews of a BioImageIT workspace. ' +
        'Bodies are JSON; errors are `{ error: { code, area, message, details } }`. When the server requires a token, send ' +
        '`Authorization: Bearer TOKEN` (or the `bioimageit_token` cookie the GUI receives from `/?token=TOKEN`).',
      license: { name: 'BSD 3-Clause License', identifier: 'BSD-3-Clause' },
    },
    servers: [{ url: '/', description: 'the server that serves this document' }],
    paths,
    components: {
      schemas: API_SCHEMAS,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'bioimageit_token' } },
    },
    security: [{}, { bearer: [] }, { cookie: [] }],
  };
}

/** The route serving the document itself (documented in it as well). */
export function openApiRoute(document: () => OpenApiDocument): ApiRoute {
  return {
    method: 'GET',
    path: OPENAPI_PATH,
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tag: 'server',
    description: 'Also served at `/.well-known/openapi.json`. Operations, parameters and schemas are built from the routes the server dispatches.',
    responses: { 200: { description: 'the document', schema: ref('OpenApi') } },
    handle: async () => ({ json: document() }),
  };
}

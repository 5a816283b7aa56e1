/**
 * Turns the server's OpenAPI document into TypeScript: one type per component schema, and per
 * operation (by operationId) its method, path, input (path parameters, query, body) and the type of
 * its success answer, plus the runtime table the typed client (src/client/api-client.ts) sends
 * requests with. Handles the JSON Schema subset the document uses (see src/http/json-schema.ts).
 * Pure: `generate-api-types.ts` writes its output (formatted) to src/client/api-types.ts.
 */
import type { JsonSchema as Schema } from '../src/http/json-schema.js';

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema: Schema;
}

interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly parameters: readonly unknown[];
  readonly requestBody?: unknown;
  readonly responses: Readonly<Record<string, { readonly content?: Readonly<Record<string, { readonly schema?: unknown }>> }>>;
}

/** What the generator needs of the document (the server's OpenApiDocument fits). */
export interface GeneratorInput {
  readonly info: { readonly version: string };
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, unknown>> };
}

/** How the client reads a success answer: JSON, text, bytes, or the raw Response (event streams). */
export type ResponseKind = 'json' | 'text' | 'bytes' | 'stream';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Schema names that are also global types of TypeScript's libraries, which the generated names must not hide. */
const GLOBAL_TYPES = new Set(['Error', 'Response', 'Request', 'Headers', 'Blob', 'File', 'Event']);

/** The TypeScript name of a component schema: its own, or with `Body` after it when a global type has it (`ErrorBody`). */
export function typeName(schema: string): string {
  return GLOBAL_TYPES.has(schema) ? `${schema}Body` : schema;
}

/** The TypeScript source of the API's types and operation table. */
export function generateApiTypes(document: GeneratorInput): string {
  const out: string[] = [
    '// Generated from the OpenAPI document by server/scripts/generate-api-types.ts: do not edit.',
    '// Run `npm run generate:client -w @bioimageit/server` after changing a route or schema.',
    '/* eslint-disable */',
    '',
    `/** Version of the API these types were generated from. */`,
    `export const API_VERSION = ${JSON.stringify(document.info.version)};`,
    '',
  ];
  for (const [name, schema] of Object.entries(document.components.schemas).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(...doc((schema as Schema).description, ''));
    out.push(`export type ${typeName(name)} = ${typeOf(schema as Schema, '')};`, '');
  }
  const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  operations.sort((a, b) => a.op.operationId.localeCompare(b.op.operationId));
  out.push('/** Every operation by its operationId: method, path, input and the type of its success answer. */', 'export interface ApiOperations {');
  for (const { path, method, op } of operations) {
    const parameters = op.parameters as readonly Parameter[];
    const group = (where: string) => parameters.filter((p) => p.in === where);
    const fields: string[] = [];
    const pathParameters = group('path');
    if (pathParameters.length > 0) fields.push(`params: ${objectOf(pathParameters, '    ')}`);
    const query = group('query');
    if (query.length > 0) fields.push(`query${query.some((q) => q.required === true) ? '' : '?'}: ${objectOf(query, '    ')}`);
    const body = (op.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content?.['application/json']?.schema;
    if (body !== undefined) fields.push(`body: ${typeOf(body, '    ')}`);
    const { status, kind, schema } = success(op);
    const response =
      kind === 'json' ? (schema === undefined ? 'unknown' : typeOf(schema, '    ')) : kind === 'text' ? 'string' : kind === 'bytes' ? 'Uint8Array' : 'Response';
    out.push(`  /** ${op.summary.replace(/\*\//g, '*\\/')} */`);
    out.push(`  ${op.operationId}: {`);
    out.push(`    method: '${method.toUpperCase()}';`, `    path: '${path}';`, `    status: ${status};`);
    out.push(`    input: { ${fields.join('; ')} };`);
    out.push(`    response: ${response};`, '  };');
  }
  out.push('}', '');
  out.push('/** How the client sends each operation and reads its answer. */');
  out.push(
    "export const API_OPERATIONS: { readonly [K in keyof ApiOperations]: { readonly method: ApiOperations[K]['method']; readonly path: ApiOperations[K]['path']; readonly response: 'json' | 'text' | 'bytes' | 'stream' } } = {",
  );
  for (const { path, method, op } of operations)
    out.push(`  ${op.operationId}: { method: '${method.toUpperCase()}', path: '${path}', response: '${success(op).kind}' },`);
  out.push('};', '');
  return out.join('\n');
}

/** The first 2xx answer of an operation: its status, how it is read, and its JSON schema. */
function success(op: Operation): { status: number; kind: ResponseKind; schema?: Schema } {
  const status = Object.keys(op.responses)
    .filter((s) => /^2\d\d$/.test(s))
    .sort()[0];
  if (status === undefined) throw new Error(`operation ${op.operationId} documents no success answer`);
  const [type, content] = Object.entries(op.responses[status]?.content ?? {})[0] ?? ['application/json', {}];
  const kind: ResponseKind = type === 'application/json' ? 'json' : type === 'text/event-stream' ? 'stream' : type.startsWith('text/') ? 'text' : 'bytes';
  return { status: Number(status), kind, ...(content.schema !== undefined && { schema: content.schema as Schema }) };
}

function objectOf(parameters: readonly Parameter[], indent: string): string {
  const lines = parameters.flatMap((p) => [
    ...doc(p.description, indent + '  '),
    `${indent}  ${key(p.name)}${p.required === true ? '' : '?'}: ${typeOf(p.schema, indent + '  ')};`,
  ]);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** The TypeScript type of a schema. */
export function typeOf(schema: Schema, indent: string): string {
  if (schema.$ref !== undefined) return typeName(schema.$ref.replace('#/components/schemas/', ''));
  if (schema.enum !== undefined) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.oneOf !== undefined) return schema.oneOf.map((s) => wrap(typeOf(s, indent))).join(' | ');
  const types = schema.type === undefined ? (schema.properties !== undefined ? ['object'] : []) : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 0) return 'unknown';
  return types.map((t) => wrap(single(t as string, schema, indent))).join(' | ');
}

function single(type: string, schema: Schema, indent: string): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `${wrap(schema.items === undefined ? 'unknown' : typeOf(schema.items, indent))}[]`;
    default:
      return objectType(schema, indent);
  }
}

function objectType(schema: Schema, indent: string): string {
  const extra = schema.additionalProperties;
  const rest = extra === undefined || extra === true ? 'unknown' : extra === false ? undefined : typeOf(extra, indent + '  ');
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return rest === undefined ? 'Record<string, never>' : `{ [key: string]: ${rest} }`;
  const required = new Set(schema.required ?? []);
  const lines = properties.flatMap(([name, property]) => [
    ...doc(property.description, indent + '  '),
    `${indent}  ${key(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, indent + '  ')};`,
  ]);
  // extra properties are typed only where a schema names none: the named ones are what clients rely on
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function wrap(type: string): string {
  return type.includes(' | ') && !type.startsWith('{') ? `(${type})` : type;
}

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function doc(description: string | undefined, indent: string): string[] {
  if (description === undefined || description === '') return [];
  return [`${indent}/** ${description.replace(/\*\//g, '*\\/').replace(/\n/g, ' ')} */`];
}

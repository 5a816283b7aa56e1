import { describe, expect, it } from 'vitest';
import { validateJson, type JsonSchema } from '../http/json-schema.js';
import { pathParameterNames } from '../http/api-route.js';
import { apiRoutes } from './api-routes.js';
import { resolveApiSchema } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const { routes, document } = apiRoutes({ version: '9.9.9' } as ServerContext);

/** Every `$ref` inside a value. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : refs(v)));
}

describe('OpenAPI document', () => {
  it('documents exactly the served routes, each with a unique operation id', () => {
    const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    const ids = Object.values(document.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(document.info.version).toBe('9.9.9');
    expect(document.openapi).toBe('3.1.0');
  });

  it('declares every path parameter, and errors, token and host failures on every operation', () => {
    for (const [path, ops] of Object.entries(document.paths)) {
      for (const op of Object.values(ops)) {
        const declared = (op.parameters as { name: string; in: string }[]).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared, `${op.operationId}`).toEqual(pathParameterNames(path));
        expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(['401', '403', '500']));
        if (op.requestBody !== undefined) expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(['400', '413', '415']));
      }
    }
  });

  it('resolves every schema reference', () => {
    const missing = refs(document).filter((r) => resolveApiSchema(r) === undefined);
    expect(missing).toEqual([]);
  });

  it('has request schemas that reject what the API must refuse', () => {
    const body = (op: string) => routes.find((r) => r.operationId === op)?.body as JsonSchema;
    expect(validateJson({ tool: 't', inputs: [{ name: 'i' }], outputDataset: 'out' }, body('startRun'), 'b', resolveApiSchema)).toEqual([]);
    expect(validateJson({ tool: 't', inputs: [{ name: 'i' }], outputDataset: '../../etc' }, body('startRun'), 'b', resolveApiSchema)).toHaveLength(1);
    expect(validateJson({ tool: 't', inputs: [], outputDataset: 'o' }, body('startRun'), 'b', resolveApiSchema)).toEqual([
      'b.inputs: needs at least 1 element(s)',
    ]);
    expect(validateJson({ tool: 't', inputs: [{ name: 'i' }], outputDataset: 'o', matchBy: 'tags' }, body('startRun'), 'b', resolveApiSchema)).toHaveLength(1);
    expect(validateJson({ set: { 'bad\nkey': 'v' } }, body('editItemTags'), 'b', resolveApiSchema)).toHaveLength(1);
    expect(validateJson({ where: 'x', set: { k: 'a\u0007b' } }, body('editTagsByQuery'), 'b', resolveApiSchema)).toHaveLength(1);
  });
});

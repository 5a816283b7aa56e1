import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/fixture-workspace.js';
import { validateJson, type JsonSchema } from '../http/json-schema.js';
import { pathParameterNames } from '../http/api-route.js';
import { apiRoutes } from './api-routes.js';
import { resolveApiSchema } from './api-schemas.js';
import type { ServerContext } from './server-context.js';

const { routes, document } = apiRoutes({ version: '9.9.9' } as ServerContext);
const run = promisify(execFile);

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

/** Runs Redocly's linter (the `recommended` rules, offline) on a document; its JSON report. */
async function redoclyLint(doc: unknown): Promise<{ totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bioimageit-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    const bin = [join(REPO, 'server/node_modules/.bin/redocly'), join(REPO, 'node_modules/.bin/redocly')].find((p) => existsSync(p)) as string;
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const { stdout } = await run(bin, ['lint', '--extends=recommended', '--format=json', file], { cwd: dir, env }).catch((error: { stdout?: string }) => ({
      stdout: error.stdout ?? '',
    }));
    return JSON.parse(stdout.slice(stdout.indexOf('{')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('OpenAPI document under Redocly lint (recommended rules)', () => {
  it('names its server (relative) and its licence', () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(document.info.license).toEqual({ name: 'BSD 3-Clause License', identifier: 'BSD-3-Clause' });
  });

  it('has no error and no warning', async () => {
    const report = await redoclyLint(document);
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('is really linted: a document without servers and with an untyped required property fails', async () => {
    const broken = structuredClone(document) as unknown as Record<string, unknown> & { components: { schemas: Record<string, unknown> } };
    delete broken['servers'];
    broken.components.schemas['Broken'] = { type: 'object', required: ['nowhere'] };
    const report = await redoclyLint(broken);
    expect(report.problems.map((p) => p.ruleId)).toEqual(expect.arrayContaining(['no-empty-servers', 'no-required-schema-properties-undefined']));
  }, 60_000);
});

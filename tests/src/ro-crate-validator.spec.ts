import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRoCrate, WORKFLOW_RUN_CRATE_PROFILE, type RoCrateDocument, type RoCrateEntity } from '@bioimageit/core';
import { cli, tempDir } from './cli-harness.js';

/**
 * The crates BioImageIT exports, checked by the RO-Crate community's validator (npm `ro-crate`
 * 3.7.2, `Validator`: JSON-LD shape, root data entity and its required properties — `license`
 * among them —, the context, and every file and folder of the crate described), with no network:
 * the contexts it would fetch are answered from disk. The crate cites the RO-Crate 1.1 context;
 * the package bundles the 1.2 context (`lib/context.json`), which holds every 1.1 term, so it
 * answers for 1.1. The workflow-run terms context is a local copy of the terms our crates use.
 */

interface ValidatorResult {
  readonly id: string;
  readonly status: 'success' | 'warning' | 'error';
  readonly message: string;
  readonly entity?: string;
}
interface RoCrateModule {
  ROCrate: new (json: unknown, config: { array: boolean; link: boolean }) => { resolveContext(): Promise<unknown> };
  Validator: new (crate: unknown) => {
    results: ValidatorResult[];
    validate(): Promise<boolean>;
    checkFiles(files: Record<string, { exists: boolean; inCrate: boolean; isDir: boolean }>): void;
  };
}

const require = createRequire(import.meta.url);
const BUNDLED_CONTEXT = require('ro-crate/lib/context.json') as unknown;
/** The workflow-run terms (https://w3id.org/ro/terms/workflow-run) BioImageIT's crates use. */
const WORKFLOW_RUN_TERMS = {
  '@context': Object.fromEntries(
    ['sha256', 'ContainerImage', 'DockerImage', 'SIFImage', 'tag', 'registry', 'environment', 'ParameterConnection', 'connection'].map((term) => [
      term,
      `https://w3id.org/ro/terms/workflow-run#${term}`,
    ]),
  ),
};
const fetched: string[] = [];

/** What the validator's fetch gets: the bundled contexts, and a refusal for anything else. */
async function offlineFetch(input: unknown): Promise<Response> {
  const url = String(input);
  fetched.push(url);
  const body = url.startsWith('https://w3id.org/ro/crate/')
    ? BUNDLED_CONTEXT
    : url === 'https://w3id.org/ro/terms/workflow-run/context'
      ? WORKFLOW_RUN_TERMS
      : undefined;
  if (body === undefined) throw new Error(`no network in tests: ${url}`);
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/ld+json' } });
}

let roCrate: RoCrateModule;
let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // ro-crate keeps the global fetch it finds when loaded: install the offline one first.
  globalThis.fetch = offlineFetch as typeof fetch;
  roCrate = require('ro-crate') as RoCrateModule;
  dir = await tempDir('biit-rocrate-validator-');
  ws = join(dir.path, 'ws');
  const demo = await cli(dir.path, ['demo', 'ws', '--images', '1', '--jobs', '2']);
  expect(demo.code, demo.stderr).toBe(0);
}, 240_000);
afterAll(async () => {
  globalThis.fetch = realFetch;
  await dir?.cleanup();
});

/** Every file and folder under `crate`, keyed as RO-Crate ids (URI paths; folders end in `/`), as `rocval --files-path` lists them. */
async function crateListing(crate: string): Promise<Record<string, { exists: boolean; inCrate: boolean; isDir: boolean }>> {
  const listing: Record<string, { exists: boolean; inCrate: boolean; isDir: boolean }> = {};
  for (const entry of await readdir(crate, { recursive: true, withFileTypes: true })) {
    const path = relative(crate, join(entry.parentPath, entry.name)).split(sep).map(encodeURIComponent).join('/');
    listing[path + (entry.isDirectory() ? '/' : '')] = { exists: true, inCrate: false, isDir: entry.isDirectory() };
  }
  return listing;
}

/** The validator's errors and warnings about the crate in `dir`, as `status id entity: message` lines. */
async function validate(crate: string): Promise<{ errors: string[]; warnings: string[] }> {
  const json = JSON.parse(await readFile(join(crate, 'ro-crate-metadata.json'), 'utf8')) as unknown;
  const parsed = new roCrate.ROCrate(json, { array: true, link: true });
  await parsed.resolveContext();
  const validator = new roCrate.Validator(parsed);
  await validator.validate();
  validator.checkFiles(await crateListing(crate));
  const line = (r: ValidatorResult) => `${r.id} ${r.entity ?? ''}: ${r.message}`;
  return {
    errors: validator.results.filter((r) => r.status === 'error').map(line),
    warnings: validator.results.filter((r) => r.status === 'warning').map(line),
  };
}

const metadata = async (crate: string) => JSON.parse(await readFile(join(crate, 'ro-crate-metadata.json'), 'utf8')) as RoCrateDocument;
const byId = (doc: RoCrateDocument, id: string): RoCrateEntity | undefined => doc['@graph'].find((e) => e['@id'] === id);

describe('the ro-crate validator on exported crates', () => {
  it("reports no error and no warning on the demo's crate (Process Run Crate, data copied, licence from init)", async () => {
    const crate = join(ws, 'ro-crate');
    // Warnings the validator still gives: none. (Each undescribed file or folder would be one
    // `validCrateDataEntityInCrateDir` warning; a context it cannot fetch, a `contextUrlNotFound`.)
    expect(await validate(crate)).toEqual({ errors: [], warnings: [] });
    expect(await checkRoCrate(await metadata(crate), crate)).toEqual([]);
    const root = byId(await metadata(crate), './');
    expect(root?.['license']).toEqual({ '@id': 'https://spdx.org/licenses/CC-BY-4.0' });
    expect(fetched).toContain('https://w3id.org/ro/crate/1.1/context');
  });

  it('reports no error and no warning on a Workflow Run Crate of the demo pipeline, with data copied or referenced', async () => {
    for (const [name, extra] of [
      ['wf-crate', []],
      ['wf-crate-no-data', ['--no-data']],
    ] as const) {
      const out = await cli(ws, ['provenance', 'export', '-e', 'Demo plate', '--ro-crate', name, '--pipeline', 'demo-pipeline.json', '--check', ...extra]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toContain('(RO-Crate 1.1, Workflow Run Crate 0.5)');
      const crate = join(ws, name);
      // Warnings left: none.
      expect(await validate(crate), name).toEqual({ errors: [], warnings: [] });
      const doc = await metadata(crate);
      expect(byId(doc, './')?.['conformsTo']).toContainEqual({ '@id': WORKFLOW_RUN_CRATE_PROFILE });
      expect(byId(doc, './')?.['mainEntity']).toEqual({ '@id': 'demo-pipeline.json' });
      expect(byId(doc, 'demo-pipeline.json')?.['@type']).toEqual(['File', 'SoftwareSourceCode', 'ComputationalWorkflow']);
      const files = doc['@graph'].filter((e) => e['@type'] === 'File');
      const data = files.filter((f) => typeof f['identifier'] === 'string');
      expect(data.length).toBe(8 * 4 + 4);
      expect(data.every((f) => (name === 'wf-crate' ? !f['@id'].startsWith('file:') : f['@id'].startsWith('file:///')))).toBe(true);
    }
    expect((await readdir(join(ws, 'wf-crate-no-data'))).sort()).toEqual(['demo-pipeline.json', 'ro-crate-metadata.json', 'tools']);
  });

  it('is a real check: a crate without licence and with an undescribed folder gets an error and two warnings', async () => {
    const crate = join(dir.path, 'broken');
    await cp(join(ws, 'ro-crate'), crate, { recursive: true });
    const doc = await metadata(crate);
    const graph = doc['@graph'].map((e) => (e['@id'] === './' ? Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'license')) : e));
    await writeFile(join(crate, 'ro-crate-metadata.json'), JSON.stringify({ ...doc, '@graph': graph }));
    await mkdir(join(crate, 'notes'));
    await writeFile(join(crate, 'notes', 'todo.txt'), 'describe me');
    const { errors, warnings } = await validate(crate);
    expect(errors).toEqual(['licenseRequired : Missing required property: license']);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('notes/todo.txt');
  });
});

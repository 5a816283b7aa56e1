import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBioImageItError, type ToolManifest } from '@bioimageit/core';
import { ModelStore, resolveModelsDir } from './model-store.js';
import { firstParagraph, ModelToolSource, RUN_MODEL_SCRIPT } from './model-tool-source.js';
import { BAD_TEST_MODELS, buildTestModels, pythonOnnxMissing, TEST_MODEL_FACTS, type BadTestModelName, type TestModels } from './test-support/test-models.js';

const skip = pythonOnnxMissing(import.meta.url);
const RUNTIME = 'onnxruntime-node 9.9.9 (cpu)';

let dir: string;
let built: TestModels & { readonly bad: Readonly<Record<BadTestModelName, string>> };
let store: ModelStore;
let source: ModelToolSource;

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

describe('resolveModelsDir', () => {
  it('takes BIOIMAGEIT_MODELS_DIR, else <workspace>/models for a workspace, else the user cache', async () => {
    const ws = await mkdtemp(path.join(tmpdir(), 'biit-models-ws-'));
    try {
      await import('node:fs/promises').then((fs) => fs.writeFile(path.join(ws, 'bioimageit.config.json'), '{}'));
      expect(resolveModelsDir({ BIOIMAGEIT_MODELS_DIR: 'zoo' }, ws)).toBe(path.join(ws, 'zoo'));
      expect(resolveModelsDir({ BIOIMAGEIT_MODELS_DIR: '/abs/zoo' }, ws)).toBe('/abs/zoo');
      expect(resolveModelsDir({}, ws)).toBe(path.join(ws, 'models'));
      expect(resolveModelsDir({}, path.join(ws, 'not-a-workspace'))).toMatch(/[\\/]\.cache[\\/]bioimageit[\\/]models[\\/]installed$/);
    } finally {
      await rm(ws, { recursive: true, force: true });
    }
  });
});

describe('firstParagraph', () => {
  it('skips headings, images and code, and joins the lines of the first paragraph', () => {
    expect(firstParagraph('# Title\n\n![cover](c.png)\n\n```\ncode\n\nmore\n```\n\nFirst line\nsecond  line.\n\nNext.')).toBe('First line second line.');
    expect(firstParagraph('# only a title')).toBeUndefined();
  });
});

describe.skipIf(skip)('installed models as tools', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'biit-model-tools-'));
    built = buildTestModels(path.join(dir, 'packages'), { bad: true });
    store = new ModelStore(path.join(dir, 'models'));
    for (const folder of Object.values(built.models)) await store.addModel(folder);
    source = new ModelToolSource(store, () => RUNTIME);
  }, 120_000);
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('copies each package to <modelsDir>/<id>/<version>/ and lists it ready', async () => {
    const models = await store.listModels();
    expect(models.length).toBeGreaterThanOrEqual(3);
    expect(models.every((m) => m.status === 'ready')).toBe(true);
    const percentile = await store.getModel('percentile-2d');
    expect(percentile.root).toBe(path.join(store.modelsDir, 'percentile-2d', percentile.version));
    expect(existsSync(path.join(percentile.root, 'rdf.yaml'))).toBe(true);
    expect(existsSync(path.join(percentile.root, 'weights.onnx'))).toBe(true);
    expect(percentile.installed?.from).toContain('percentile-2d');
    // the same package again copies nothing
    expect(await store.addModel(built.models['percentile-2d'])).toMatchObject({ copied: false, replaced: false });
  });

  it('offers every ready model as the tool model.<id> with its version', async () => {
    const tools = await source.listTools();
    const ids = tools.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['model.unet3d-halo', 'model.two-channel-2d', 'model.percentile-2d']));
    const percentile = tools.find((t) => t.id === 'model.percentile-2d');
    expect(percentile?.version).toBe((await store.getModel('percentile-2d')).version);
  });

  it('describes percentile-2d: one image input, tile and threads, one OME-TIFF output, the command, authors and facts', async () => {
    const model = await store.getModel('percentile-2d');
    const tool: ToolManifest = await source.getTool('model.percentile-2d');
    const facts = TEST_MODEL_FACTS['percentile-2d'];
    expect(tool.categories).toEqual(['Deep learning']);
    expect(tool.type).toBe('map');
    expect(tool.inputs.filter((i) => i.type === 'data')).toEqual([expect.objectContaining({ name: facts.input.id, format: 'imagetiff' })]);
    expect(tool.inputs.filter((i) => i.type !== 'data')).toEqual([
      expect.objectContaining({ name: 'tile', type: 'int', default: 0, min: 0 }),
      expect.objectContaining({ name: 'threads', type: 'int', default: 0 }),
    ]);
    expect(tool.outputs).toEqual([
      { name: facts.output.id, format: 'imagetiff', label: expect.any(String), template: '{input.stem}_mask', extension: '.ome.tif' },
    ]);
    expect(tool.command.argv).toEqual([
      '{env.node}',
      RUN_MODEL_SCRIPT,
      '--model',
      model.root,
      '--input-raw',
      '{inputs.raw}',
      '--output-mask',
      '{outputs.mask}',
      '--tile',
      '{params.tile}',
      '--threads',
      '{params.threads}',
    ]);
    expect(path.isAbsolute(RUN_MODEL_SCRIPT) && existsSync(RUN_MODEL_SCRIPT)).toBe(true);
    expect(path.dirname(tool.source)).toBe(model.root);
    expect(tool.help).toMatch(/^A synthetic 2-D network for the tests of @bioimageit\/model-zoo/);
    expect(tool.authors).toEqual(['BioImageIT test suite']);
    expect(tool.license).toBeTruthy();
    expect(tool.cite?.[0]).toMatchObject({ text: 'BioImageIT test models (synthetic, not trained)' });
    expect(tool.facts).toEqual({
      'model.id': 'percentile-2d',
      'model.version': model.version,
      'model.format_version': '0.5.4',
      'model.rdf_sha256': await sha256(path.join(model.root, 'rdf.yaml')),
      'weights.format': 'onnx',
      'weights.sha256': await sha256(path.join(model.root, 'weights.onnx')),
      runtime: RUNTIME,
      cover: 'cover.png',
    });
  });

  it('gives each 3-D and 2-channel model one input and one output per tensor', async () => {
    for (const name of ['unet3d-halo', 'two-channel-2d'] as const) {
      const tool = await source.getTool(`model.${name}`);
      const facts = TEST_MODEL_FACTS[name];
      expect(tool.inputs.filter((i) => i.type === 'data').map((i) => i.name)).toEqual([facts.input.id]);
      expect(tool.outputs.map((o) => o.name)).toEqual([facts.output.id]);
      expect(tool.outputs[0]?.template).toBe(`{input.stem}_${facts.output.id}`);
      expect(tool.facts?.['model.format_version']).toBe(facts.formatVersion);
    }
  });

  it('answers NOT_FOUND naming the installed models for an unknown tool', async () => {
    const error = await source.getTool('model.nope').catch((e: unknown) => e);
    expect(isBioImageItError(error) && error.code).toBe('NOT_FOUND');
    expect((error as Error).message).toContain('model.percentile-2d');
  });

  it('lists a torchscript-only package found in the folder as unsupported, with the reason, and offers no tool for it', async () => {
    const models = path.join(dir, 'by-hand');
    await cp(built.bad['torchscript-only'], path.join(models, 'torchscript-only', '1'), { recursive: true });
    const byHand = new ModelStore(models);
    const [listed] = await byHand.listModels();
    expect(listed).toMatchObject({ status: 'unsupported' });
    expect(listed?.reason).toMatch(/no ONNX weights \(only torchscript\)/);
    expect(await new ModelToolSource(byHand, () => RUNTIME).listTools()).toEqual([]);
  });

  it.each(Object.keys(BAD_TEST_MODELS) as BadTestModelName[])('refuses the bad package %s and stores nothing', async (name) => {
    const models = path.join(dir, `bad-${name}`);
    const badStore = new ModelStore(models);
    const error = await badStore.addModel(built.bad[name]).catch((e: unknown) => e);
    if (name === 'wrong-test-output') {
      // verification checks files and sha256, not results: `models test` catches this one (FAIL)
      expect(error).not.toBeInstanceOf(Error);
      return;
    }
    expect(error).toBeInstanceOf(Error);
    expect(existsSync(models) ? await readdir(models) : []).toEqual([]);
    expect(await badStore.listModels()).toEqual([]);
  });
});

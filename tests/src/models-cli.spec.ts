import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestModels, pythonOnnxMissing, type TestModels } from '../../plugins/model-zoo/src/test-support/test-models.js';
import { cli, tempDir } from './cli-harness.js';

const skip = pythonOnnxMissing(import.meta.url);

let dir: { path: string; cleanup: () => Promise<void> };
let ws: string;
let packages: TestModels;

/**
 * `bioimageit models` through the CLI in a workspace with @bioimageit/model-zoo: the test packages
 * added into `<workspace>/models`, listed, shown, tested against their own test tensors (PASS, and
 * FAIL with exit 1 for a package whose test output is wrong), and offered as tools.
 */
describe.skipIf(skip)('bioimageit models (model-zoo plugin)', () => {
  beforeAll(async () => {
    dir = await tempDir('biit-models-cli-');
    ws = join(dir.path, 'ws');
    packages = buildTestModels(join(dir.path, 'packages'), { bad: true });
    const init = await cli(dir.path, ['init', ws, '--user', 'tester', '--plugin', '@bioimageit/model-zoo']);
    expect(init.code, init.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('adds the test packages into <workspace>/models and says where', async () => {
    for (const name of ['unet3d-halo', 'two-channel-2d', 'percentile-2d'] as const) {
      const added = await cli(ws, ['models', 'add', packages.models[name]]);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(
        new RegExp(`installed ${name} \\S+ in ${join(ws, 'models', name).replace(/[.\\]/g, '\\$&')}[\\\\/]\\S+ \\(tool model\\.${name}\\)`),
      );
    }
    const again = await cli(ws, ['models', 'add', packages.models['percentile-2d']]);
    expect(again.stdout).toContain('already installed percentile-2d');
  });

  it('refuses a bad package with an error naming the problem (exit 1)', async () => {
    const refused = await cli(ws, ['models', 'add', packages.bad['wrong-sha256'] as string]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: .*sha256/i);
  });

  it('lists the installed models with version, name, formats and status, also as JSON', async () => {
    const listed = await cli(ws, ['models', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+VERSION\s+NAME\s+FORMATS\s+STATUS/);
    expect(listed.stdout).toMatch(/percentile-2d\s+\S+\s+.+\s+onnx\s+ready/);
    const json = await cli(ws, ['--json', 'models', 'list']);
    const models = JSON.parse(json.stdout) as { id: string; status: string; formats: string[]; tool?: string }[];
    expect(models.map((m) => m.id)).toEqual(expect.arrayContaining(['unet3d-halo', 'two-channel-2d', 'percentile-2d']));
    expect(models.find((m) => m.id === 'percentile-2d')).toMatchObject({ status: 'ready', formats: ['onnx'], tool: 'model.percentile-2d' });
  });

  it('shows a model: tensors with axes, halo and processing, authors, licence, citation and cover', async () => {
    const shown = await cli(ws, ['models', 'show', 'percentile-2d']);
    expect(shown.code, shown.stderr).toBe(0);
    for (const part of [
      'inputs:',
      'outputs:',
      'raw  uint8',
      'mask  uint8',
      '(halo 2)',
      'scale_range(',
      'binarize(',
      'authors:   BioImageIT test suite',
      'licence:',
      'cite:',
      'cover:',
    ])
      expect(shown.stdout).toContain(part);
    const missing = await cli(ws, ['models', 'show', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no installed model 'nope'");
  });

  it('tests an installed model against its own test tensors: PASS', async () => {
    const tested = await cli(ws, ['models', 'test', 'unet3d-halo']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/prediction\s+\S+\s+\S+\s+0\/\d+\s+PASS/);
    expect(tested.stdout).toMatch(/PASS\s*$/);
  }, 120_000);

  it('tests a package folder whose test output is wrong: FAIL, exit 1', async () => {
    const tested = await cli(ws, ['models', 'test', packages.bad['wrong-test-output'] as string]);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toMatch(/FAIL\s*$/);
    const json = await cli(ws, ['--json', 'models', 'test', packages.bad['wrong-test-output'] as string]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: false });
  }, 120_000);

  it('offers the installed models as tools', async () => {
    const tools = await cli(ws, ['tools', 'list']);
    expect(tools.code, tools.stderr).toBe(0);
    for (const id of ['model.unet3d-halo', 'model.two-channel-2d', 'model.percentile-2d']) expect(tools.stdout).toContain(id);
  });
});

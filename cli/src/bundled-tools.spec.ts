import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, DirectoryToolSource, parseCsv, readTiffPixels, resolveToolFolders, writeTiff } from '@bioimageit/core';
import { runBundledScript } from './test-support/run-bundled-script.js';
import { BUNDLED_TOOLS_DIR, BUNDLED_TOOLS_ENTRY, DEMO_PIPELINE_FILE } from './bundled-tools.js';

/** Runs a bundled script with plain node in the test folder. */
const script = (name: string, args: string[]) => runBundledScript(name, args, dir);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-bundled-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('bundled tools', () => {
  it('load as valid manifests, and the demo pipeline names them', async () => {
    const source = new DirectoryToolSource({ folders: [BUNDLED_TOOLS_DIR] });
    const tools = await source.listTools();
    expect(await source.problems()).toEqual([]);
    expect(tools.map((t) => t.id)).toEqual([
      'bioimageit.count-objects',
      'bioimageit.extract-channel',
      'bioimageit.gaussian-blur',
      'bioimageit.summarize',
      'bioimageit.threshold',
    ]);
    const manifests = await Promise.all(tools.map((t) => source.getTool(t.id)));
    expect(manifests.map((m) => m.type)).toEqual(['map', 'map', 'map', 'reduce', 'map']);
    expect(manifests.every((m) => m.command.argv[0] === '{env.node}')).toBe(true);
    const kernel = await createKernel({ config: { ...defaultConfig(dir, 'tester'), plugins: [] } });
    const pipeline = await kernel.loadPipeline(DEMO_PIPELINE_FILE);
    await kernel.dispose();
    expect(pipeline.steps.map((s) => s.tool)).toEqual(['bioimageit.gaussian-blur', 'bioimageit.threshold', 'bioimageit.count-objects', 'bioimageit.summarize']);
    expect(pipeline.steps[3]?.groupBy).toEqual(['Well']);
  });

  it('are named in configs by the package folder init writes, which resolves to them from any workspace', () => {
    expect(BUNDLED_TOOLS_ENTRY).toBe('@bioimageit/cli/tools');
    expect(resolveToolFolders([BUNDLED_TOOLS_ENTRY], dir, 'test')).toEqual([realpathSync(BUNDLED_TOOLS_DIR)]);
  });

  it('blur → threshold → count → summarize on a 2-D image with two squares', async () => {
    const data = new Uint16Array(24 * 24).fill(50);
    for (const [y0, x0] of [
      [3, 3],
      [14, 12],
    ] as const)
      for (let y = y0; y < y0 + 5; y++) for (let x = x0; x < x0 + 6; x++) data[y * 24 + x] = 800;
    await writeTiff(join(dir, 'img.tif'), { data, shape: [24, 24], dtype: 'uint16', axes: 'YX' });
    const blur = await script('blur.mjs', ['--input', 'img.tif', '--sigma', '0.8', '--output', 'blurred.tif']);
    expect(blur, blur.stderr).toMatchObject({ code: 0 });
    expect(blur.stdout).toContain('progress: 100%');
    const blurred = await readTiffPixels(join(dir, 'blurred.tif'));
    expect([blurred.dtype, blurred.axes, blurred.shape]).toEqual(['uint16', 'YX', [24, 24]]);
    expect((await script('threshold.mjs', ['--input', 'blurred.tif', '--method', 'otsu', '--output', 'mask.tif'])).code).toBe(0);
    const mask = await readTiffPixels(join(dir, 'mask.tif'));
    expect(mask.dtype).toBe('uint8');
    expect(new Set(mask.data)).toEqual(new Set([0, 255]));
    expect((await script('threshold.mjs', ['--input', 'img.tif', '--method', 'fixed', '--value=799', '--output', 'fixed.tif'])).stdout).toContain(
      'threshold (fixed): 799; foreground 60 of 576 pixels',
    );
    const count = await script('count-objects.mjs', ['--input', 'mask.tif', '--connectivity', 'face', '--min-size', '1', '--output', 'objects.csv']);
    expect(count.stdout).toContain('2 object(s)');
    const objects = parseCsv(await readFile(join(dir, 'objects.csv'), 'utf8'));
    expect(objects.map((r) => r.slice(0, 2))).toEqual([
      ['label', 'voxels'],
      ['1', '30'],
      ['2', '30'],
    ]);
    await writeFile(join(dir, 'tables.list.txt'), `${join(dir, 'objects.csv')}\n`);
    expect((await script('summarize.mjs', ['--tables', 'tables.list.txt', '--output', 'summary.csv'])).code).toBe(0);
    expect(await readFile(join(dir, 'summary.csv'), 'utf8')).toBe('input,objects,mean_size\r\nobjects,2,30\r\n');
  });

  it('reject bad arguments and inputs with one clear line and a non-zero exit code', async () => {
    expect(await script('blur.mjs', ['--input', 'img.tif', '--sigma', 'wide', '--output', 'x.tif'])).toMatchObject({
      code: 2,
      stderr: "gaussian-blur: error: --sigma must be a number, got 'wide'\n",
    });
    expect(await script('threshold.mjs', ['--input', 'img.tif', '--method', 'fixed', '--output', 'x.tif'])).toMatchObject({
      code: 2,
      stderr: 'threshold: error: --method fixed needs --value\n',
    });
    expect(await script('count-objects.mjs', ['--input', 'img.tif'])).toMatchObject({
      code: 2,
      stderr: 'count-objects: error: missing --connectivity, --min-size, --output\n',
    });
    const missing = await script('count-objects.mjs', ['--input', 'none.tif', '--connectivity', 'full', '--min-size', '1', '--output', 'x.csv']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^count-objects: error: .*none\.tif.*\n$/);
    await writeFile(join(dir, 'empty.list.txt'), '');
    expect(await script('summarize.mjs', ['--tables', 'empty.list.txt', '--output', 's.csv'])).toMatchObject({
      code: 1,
      stderr: 'summarize: error: the list of tables empty.list.txt is empty\n',
    });
  });
});

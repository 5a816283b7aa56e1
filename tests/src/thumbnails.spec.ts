import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, encodeTiff, type DataItem } from '@bioimageit/core';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { thumbnailsModuleWith } from '@bioimageit/thumbnails';
import { cli, tempDir, writeStack } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-thumbs-');
});
afterEach(async () => {
  await dir.cleanup();
});

/** Width and height of the PNG behind a `file:` URI (IHDR), after checking the PNG signature. */
async function pngAt(uri: string): Promise<{ width: number; height: number }> {
  const png = await readFile(fileURLToPath(uri));
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A TIFF whose header and IFDs read fine but whose pixels cannot be decoded (unknown compression). */
function undecodableTiff(): Uint8Array {
  const bytes = encodeTiff({ data: new Uint16Array(64), shape: [8, 8], dtype: 'uint16', axes: 'YX' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ifd = view.getUint32(4, true);
  for (let i = 0; i < view.getUint16(ifd, true); i++) if (view.getUint16(ifd + 2 + i * 12, true) === 259) view.setUint16(ifd + 10 + i * 12, 34712, true);
  return bytes;
}

async function incomingFolder(): Promise<string> {
  const incoming = join(dir.path, 'incoming');
  await mkdir(incoming);
  await writeStack(join(incoming, 'small.ome.tif'), 1, [3, 40, 60]);
  await writeStack(join(incoming, 'wide.ome.tif'), 2, [2, 150, 600]);
  await writeFile(join(incoming, 'corrupt.tif'), 'this is no TIFF');
  await writeFile(join(incoming, 'undecodable.tif'), undecodableTiff());
  return incoming;
}

async function items(ws: string, dataset = 'data'): Promise<DataItem[]> {
  const out = await cli(ws, ['query', '-e', 'Plate', '--dataset', dataset, '--json']);
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as DataItem[];
}

describe('thumbnails through the CLI (plugins of a workspace made by init)', () => {
  it('gives imported TIFFs a PNG thumbnail; corrupt files alongside break nothing', async () => {
    const ws = join(dir.path, 'ws');
    const incoming = await incomingFolder();
    expect((await cli(dir.path, ['init', ws, '--user', 'ada'])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'Plate'])).code).toBe(0);
    const imp = await cli(ws, ['import', incoming, '-e', 'Plate']);
    expect(imp.code).toBe(1);
    expect(imp.stdout + imp.stderr).toContain('corrupt.tif');
    const byName = new Map((await items(ws)).map((i) => [i.name, i]));
    expect([...byName.keys()].sort()).toEqual(['small.ome.tif', 'undecodable.tif', 'wide.ome.tif']);
    const small = byName.get('small.ome.tif') as DataItem;
    expect(small.thumbnail).toMatch(/^file:\/\/.*\/Plate\/\.bioimageit\/thumbnails\/[^/]+\.png$/);
    expect(await pngAt(small.thumbnail as string)).toEqual({ width: 60, height: 40 });
    expect(await pngAt(byName.get('wide.ome.tif')?.thumbnail as string)).toEqual({ width: 128, height: 32 });
    expect(byName.get('undecodable.tif')?.thumbnail).toBeUndefined();
    const tagged = await cli(ws, ['tag', 'set', '-e', 'Plate', '--where', 'name=small', 'Kind=stack']);
    expect(tagged.code, tagged.stderr).toBe(0);
    expect((await items(ws)).find((i) => i.name === 'small.ome.tif')).toMatchObject({ thumbnail: small.thumbnail, tags: { Kind: 'stack' } });
  });

  it('makes the thumbnails a killed process left missing at the next import, (issue 16 item 10)', async () => {
    const ws = join(dir.path, 'ws');
    const incoming = await incomingFolder();
    expect((await cli(dir.path, ['init', ws, '--user', 'ada'])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'Plate'])).code).toBe(0);
    const bare = await createKernel({ config: defaultConfig(ws, 'ada', DEFAULT_PLUGINS) });
    await bare.importData(await bare.openExperiment(join(ws, 'Plate')), incoming, {});
    await bare.dispose();
    expect((await items(ws)).filter((i) => i.thumbnail !== undefined)).toEqual([]);
    const more = join(dir.path, 'more');
    await mkdir(more);
    await writeStack(join(more, 'late.ome.tif'), 3, [2, 30, 20]);
    const imp = await cli(ws, ['import', more, '-e', 'Plate']);
    expect(imp.code, imp.stderr).toBe(0);
    const byName = new Map((await items(ws)).map((i) => [i.name, i]));
    expect(await pngAt(byName.get('small.ome.tif')?.thumbnail as string)).toEqual({ width: 60, height: 40 });
    expect(await pngAt(byName.get('wide.ome.tif')?.thumbnail as string)).toEqual({ width: 128, height: 32 });
    expect(await pngAt(byName.get('late.ome.tif')?.thumbnail as string)).toEqual({ width: 20, height: 30 });
    expect(byName.get('undecodable.tif')?.thumbnail).toBeUndefined();
  });

  it('gives the image outputs of a run their thumbnails by the time the command returns', async () => {
    const ws = join(dir.path, 'ws');
    const incoming = join(dir.path, 'incoming');
    await mkdir(incoming);
    for (const n of [1, 2, 3]) await writeStack(join(incoming, `cell_${n}.ome.tif`), n, [2, 24, 32]);
    expect((await cli(dir.path, ['init', ws, '--user', 'ada'])).code).toBe(0);
    const config = JSON.parse(await readFile(join(ws, 'bioimageit.config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(ws, 'bioimageit.config.json'), JSON.stringify({ ...config, tools: { dirs: ['tools'] } }));
    await mkdir(join(ws, 'tools'));
    const tool = {
      id: 'copyimage',
      name: 'copyimage',
      version: '1.0.0',
      description: 'copies its input image',
      inputs: [{ name: 'i', type: 'data' }],
      outputs: [{ name: 'o', format: 'imagetiff', label: 'Copy' }],
      command: { argv: ['cp', '{inputs.i}', '{outputs.o}'] },
    };
    await writeFile(join(ws, 'tools', 'copyimage.tool.json'), JSON.stringify(tool));
    expect((await cli(ws, ['experiment', 'create', 'Plate'])).code).toBe(0);
    expect((await cli(ws, ['import', incoming, '-e', 'Plate'])).code).toBe(0);
    const run = await cli(ws, ['run', 'copyimage', '-e', 'Plate', '-i', 'i=data', '-o', 'copies', '--jobs', '2']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const outputs = await items(ws, 'copies');
    expect(outputs).toHaveLength(3);
    for (const output of outputs) {
      expect(output.thumbnail, output.name).toBeDefined();
      expect(await pngAt(output.thumbnail as string)).toEqual({ width: 32, height: 24 });
    }
  });
});

describe('thumbnails when their PNG encoder cannot load', () => {
  it('warns once with the fix, makes no thumbnail, and imports and queries as usual', async () => {
    const ws = join(dir.path, 'ws');
    await mkdir(ws);
    const incoming = await incomingFolder();
    const lines: string[] = [];
    const failing = async () => Promise.reject(new Error("Cannot find module '@napi-rs/canvas-linux-x64-gnu'"));
    const kernel = await createKernel({
      config: { ...defaultConfig(ws, 'ada'), plugins: ['@bioimageit/local-fs'] },
      inlinePlugins: [
        {
          manifest: { id: 'thumbnails', engines: { core: '^0.1.0' }, module: './module', contributes: { hooks: true }, requires: [] },
          module: thumbnailsModuleWith({ loadEncoder: failing, log: (line) => lines.push(line) }),
        },
      ],
    });
    expect(kernel.plugins().find((p) => p.id === 'thumbnails')?.state).toBe('active');
    const store = await kernel.createExperiment({ name: 'Plate', author: 'ada' });
    const first = await kernel.importData(store, incoming);
    await kernel.importData(store, incoming);
    expect(first.imported).toHaveLength(3);
    expect(first.failed.map((f) => f.path)).toEqual([join(incoming, 'corrupt.tif')]);
    expect(await kernel.query(store, 'name ~ ome')).toHaveLength(4);
    await kernel.dispose();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: plugin 'thumbnails' \(@bioimageit\/thumbnails\) cannot load its PNG encoder .*give a working 'loadEncoder'/);
    expect(existsSync(join(ws, 'Plate', '.bioimageit', 'thumbnails'))).toBe(false);
  });
});

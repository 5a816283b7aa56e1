import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, encodeTiff } from '@bioimageit/core';
import { DEFAULT_PLUGINS } from '@bioimageit/cli';
import { cli, tempDir } from './cli-harness.js';
import { BUILT_CLI, startCli } from './cli-process.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('biit-conc-');
});
afterEach(async () => {
  await dir.cleanup();
});

describe('concurrent --skip-existing imports (real processes)', () => {
  it('two imports of the same folder at once import each file exactly once', async () => {
    const ws = join(dir.path, 'ws');
    expect((await cli(dir.path, ['init', ws])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'exp'])).code).toBe(0);
    const incoming = join(dir.path, 'incoming');
    await mkdir(incoming, { recursive: true });
    for (let i = 0; i < 200; i++) {
      const data = new Uint8Array(8 * 8).map((_, j) => (i + j) % 256);
      await writeFile(join(incoming, `img_${String(i).padStart(4, '0')}.tif`), encodeTiff({ data, shape: [8, 8], dtype: 'uint8', axes: 'YX' }));
    }
    const env = { BIOIMAGEIT_IMPORT_BATCH_SIZE: '10' };
    const args = ['import', incoming, '-e', 'exp', '--skip-existing'];
    const [ra, rb] = await Promise.all([startCli(BUILT_CLI, args, ws, env).done, startCli(BUILT_CLI, args, ws, env).done]);
    expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
    const kernel = await createKernel({ config: defaultConfig(ws, 'checker', DEFAULT_PLUGINS) });
    const items = await (await kernel.openExperiment(join(ws, 'exp'))).items();
    await kernel.dispose();
    expect(items.filter((i) => /_\d+_\d+\.tif$/.test(i.name)).map((i) => i.name)).toEqual([]);
    expect(new Set(items.map((i) => i.name)).size).toBe(200);
    expect(items).toHaveLength(200);
  });
});

describe('odd file names (real process)', () => {
  it('names the store cannot hold are imported under safe names, the original kept in metadata.originalName', async () => {
    const ws = join(dir.path, 'ws');
    expect((await cli(dir.path, ['init', ws])).code).toBe(0);
    expect((await cli(ws, ['experiment', 'create', 'exp'])).code).toBe(0);
    const incoming = join(dir.path, 'incoming');
    await mkdir(incoming, { recursive: true });
    const names = ['scan..2.tif', 'bad\u0007bell.tif', 'back\\slash.tif', `${'x'.repeat(240)}.tif`, 'ok_1.tif', 'ok_2.tif'];
    for (const [i, name] of names.entries()) {
      const data = new Uint8Array(16).map((_, j) => (i + j) % 256);
      await writeFile(join(incoming, name), encodeTiff({ data, shape: [4, 4], dtype: 'uint8', axes: 'YX' }));
    }
    const result = await startCli(BUILT_CLI, ['import', incoming, '-e', 'exp', '--json'], ws).done;
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { imported: number; renamed: { path: string; name: string }[] };
    expect(report.imported).toBe(6);
    expect(report.renamed.map((r) => r.name).sort()).toEqual(['back_slash.tif', 'bad_bell.tif', 'scan_2.tif', expect.stringMatching(/^x+~[0-9a-f]{8}\.tif$/)]);
    const kernel = await createKernel({ config: defaultConfig(ws, 'checker', DEFAULT_PLUGINS) });
    const items = await (await kernel.openExperiment(join(ws, 'exp'))).items();
    await kernel.dispose();
    expect(items).toHaveLength(6);
    const byOriginal = new Map(items.map((i) => [i.metadata['originalName'] ?? i.name, i.name]));
    expect(byOriginal.get('scan..2.tif')).toBe('scan_2.tif');
    expect(byOriginal.get('bad\u0007bell.tif')).toBe('bad_bell.tif');
    expect(byOriginal.get('ok_1.tif')).toBe('ok_1.tif');
  });
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKernel, defaultConfig, encodeTiff, type ExperimentStore, type Kernel } from '@bioimageit/core';
import { tempDir } from './cli-harness.js';

let dir: { path: string; cleanup: () => Promise<void> };
let kernel: Kernel;
beforeEach(async () => {
  dir = await tempDir('biit-import-batches-');
  kernel = await createKernel({ config: defaultConfig(dir.path, 'tester', ['@bioimageit/local-fs']) });
});
afterEach(async () => {
  await kernel.dispose();
  await dir.cleanup();
});

async function writeFiles(folder: string, count: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  const tiff = encodeTiff({ data: new Uint8Array(4), shape: [2, 2], dtype: 'uint8', axes: 'YX' });
  for (let i = 0; i < count; i++) await writeFile(join(folder, `f_${String(i).padStart(5, '0')}.tif`), tiff);
}

/** The store, with the size of every addRawItems call recorded. */
function spied(store: ExperimentStore, sizes: number[]): ExperimentStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'addRawItems' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (items: readonly unknown[], options: unknown) => {
        sizes.push(items.length);
        return (value as (...a: unknown[]) => unknown).call(target, items, options);
      };
    },
  });
}

describe('import batches', () => {
  it('commits batches that grow with the dataset (not O(N²) dataset rewrites) and keeps no items when asked', async () => {
    await writeFiles(join(dir.path, 'a'), 1200);
    const store = await kernel.createExperiment({ name: 'big', author: 'tester', keys: [] });
    const sizes: number[] = [];
    const report = await kernel.importData(spied(store, sizes), join(dir.path, 'a'), { batchSize: 50, keepItems: false, mode: 'reference' });
    expect([report.importedCount, report.imported.length, report.failed]).toEqual([1200, 0, []]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1200);
    // Each commit holds at least a batch or an eighth of what was stored before it (the last may hold less).
    let stored = 0;
    sizes.slice(0, -1).forEach((size) => {
      expect(size).toBeGreaterThanOrEqual(Math.max(50, Math.floor(stored / 8)));
      stored += size;
    });
    expect(sizes.length).toBeLessThan(1200 / 50);
    // Importing into the now large dataset commits in bigger steps from the start.
    await writeFiles(join(dir.path, 'b'), 400);
    const more: number[] = [];
    const second = await kernel.importData(spied(store, more), join(dir.path, 'b'), { batchSize: 50, mode: 'reference' });
    expect([second.importedCount, second.imported.length]).toEqual([400, 400]);
    expect(more[0]).toBeGreaterThanOrEqual(150);
    expect((await kernel.select(store, '', 'data', { limit: 0 })).total).toBe(1600);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PluginError, writeTiff } from '@bioimageit/core';
import { deflateBomb } from '@bioimageit/core/testing';
import { ThumbnailMaker } from './thumbnail-maker.js';
import { FakeThumbnailStore, itemAt, pngSize } from './test-support/fake-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'thumbnail-maker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stack(name: string, shape: [number, number, number]): Promise<string> {
  const file = path.join(dir, name);
  const data = new Uint16Array(shape[0] * shape[1] * shape[2]).map((_, i) => (i * 37) % 4000);
  await writeTiff(file, { data, shape, dtype: 'uint16', axes: 'ZYX' });
  return file;
}

describe('ThumbnailMaker', () => {
  it('stores a thumbnail for each image item, skips other formats, and logs a corrupt item without failing', async () => {
    const corruptFile = path.join(dir, 'corrupt.tif');
    await writeFile(corruptFile, 'II*\u0000 truncated');
    const items = [
      itemAt(await stack('a.tif', [3, 20, 30]), 'a.tif'),
      itemAt(corruptFile, 'corrupt.tif'),
      itemAt(path.join(dir, 'table.csv'), 'table.csv', 'tablecsv'),
      itemAt(await stack('b.tif', [1, 600, 300]), 'b.tif'),
    ];
    const store = new FakeThumbnailStore(items);
    const lines: string[] = [];
    const maker = new ThumbnailMaker({ log: (l) => lines.push(l) });
    expect(await maker.make(store.asStore(), items)).toEqual({ made: 2, failed: 1, skipped: 1 });
    expect(pngSize(store.saved.get('id-a.tif') as Uint8Array)).toEqual({ width: 30, height: 20 });
    expect(pngSize(store.saved.get('id-b.tif') as Uint8Array)).toEqual({ width: 64, height: 128 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: thumbnails: no thumbnail for item 'corrupt\.tif' \(id-corrupt\.tif\) of memory:\/\/fake-experiment: /);
  });

  it('leaves an image whose declared plane exceeds maxPixelBytes without thumbnail, decoding nothing (a deflate bomb)', async () => {
    const lines: string[] = [];
    const bombFile = path.join(dir, 'bomb.tif');
    await writeFile(bombFile, await deflateBomb(4096, 4096));
    const bomb = itemAt(bombFile, 'bomb.tif');
    const store = new FakeThumbnailStore([bomb]);
    const before = process.memoryUsage().arrayBuffers;
    expect(await new ThumbnailMaker({ log: (l) => lines.push(l), maxPixelBytes: 2 ** 20 }).make(store.asStore(), [bomb])).toEqual({
      made: 0,
      failed: 1,
      skipped: 0,
    });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
    expect(lines).toEqual([
      expect.stringMatching(
        /item 'bomb\.tif' \(id-bomb\.tif\) of memory:\/\/fake-experiment: .*bomb\.tif: reading it needs 16\.0 MiB .* over the 1\.0 MiB limit/,
      ),
    ]);
  });

  it('draws a stack larger than maxPixelBytes one z-plane at a time, the first time point and channel only', async () => {
    const file = path.join(dir, 'tczyx.tif');
    const data = new Uint16Array(2 * 2 * 3 * 40 * 50).map((_, i) => (i * 13) % 60000);
    await writeTiff(file, { data, shape: [2, 2, 3, 40, 50], dtype: 'uint16', axes: 'TCZYX' }, { ome: true });
    const item = itemAt(file, 'tczyx.tif');
    const store = new FakeThumbnailStore([item]);
    const lines: string[] = [];
    expect(await new ThumbnailMaker({ log: (l) => lines.push(l), maxPixelBytes: 40 * 50 * 2 }).make(store.asStore(), [item])).toEqual({
      made: 1,
      failed: 0,
      skipped: 0,
    });
    expect(lines).toEqual([]);
    expect(pngSize(store.saved.get('id-tczyx.tif') as Uint8Array)).toEqual({ width: 50, height: 40 });
  });

  it('sweeps a dataset once for items left without thumbnail, skipping those queued, summing up failures in one line', async () => {
    const corruptFile = path.join(dir, 'corrupt.tif');
    await writeFile(corruptFile, 'II*\u0000 truncated');
    const done = { ...itemAt(await stack('done.tif', [1, 4, 4]), 'done.tif'), thumbnail: 'memory://thumbnails/id-done.tif.png' };
    const queued = itemAt(await stack('queued.tif', [1, 4, 4]), 'queued.tif');
    const missing = itemAt(await stack('missing.tif', [2, 8, 8]), 'missing.tif');
    const broken = itemAt(corruptFile, 'broken.tif');
    const store = new FakeThumbnailStore([done, queued, missing, broken]);
    const lines: string[] = [];
    const maker = new ThumbnailMaker({ log: (l) => lines.push(l) });
    maker.enqueue(store.asStore(), [queued]);
    maker.sweepMissing(store.asStore(), 'data');
    maker.sweepMissing(store.asStore(), 'data');
    await maker.flush();
    expect([...store.saved.keys()].sort()).toEqual(['id-missing.tif', 'id-queued.tif']);
    expect(lines).toEqual([
      'warning: thumbnails: 1 of the 2 items of memory://fake-experiment (dataset data) left without thumbnail earlier still cannot be drawn',
    ]);
  });

  it('skips items whose metadata says they have no X and Y axes', () => {
    const maker = new ThumbnailMaker({ log: () => undefined });
    expect(maker.accepts(itemAt('/x.tif', 'x.tif', 'imagetiff', { axes: 'ZYX' }))).toBe(true);
    expect(maker.accepts(itemAt('/x.tif', 'x.tif', 'imagetiff', { axes: 'TC' }))).toBe(false);
    expect(maker.accepts(itemAt('/x.csv', 'x.csv', 'tablecsv'))).toBe(false);
  });

  it('turns itself off with one clear warning when its encoder cannot load, failing nothing', async () => {
    const items = [itemAt(await stack('a.tif', [2, 8, 8]), 'a.tif')];
    const store = new FakeThumbnailStore(items);
    const lines: string[] = [];
    let loads = 0;
    const maker = new ThumbnailMaker({
      log: (l) => lines.push(l),
      loadEncoder: async () => {
        loads++;
        throw new Error("Cannot find module '@napi-rs/canvas-linux-x64-gnu'");
      },
    });
    expect(await maker.make(store.asStore(), items)).toEqual({ made: 0, failed: 0, skipped: 1 });
    maker.enqueue(store.asStore(), items);
    await maker.flush();
    expect(await maker.make(store.asStore(), items)).toEqual({ made: 0, failed: 0, skipped: 1 });
    expect(loads).toBe(1);
    expect(store.saved.size).toBe(0);
    expect(maker.unavailable).toBeInstanceOf(PluginError);
    expect(maker.unavailable).toMatchObject({ code: 'MISSING_REQUIREMENT', details: { plugin: 'thumbnails', package: '@bioimageit/thumbnails' } });
    expect(lines).toEqual([`warning: ${maker.unavailable?.message}`]);
    expect(lines[0]).toContain("plugin 'thumbnails' (@bioimageit/thumbnails) cannot load its PNG encoder (Cannot find module '@napi-rs/canvas-linux-x64-gnu')");
    expect(lines[0]).toContain("give a working 'loadEncoder'");
    expect(lines[0]).toContain('remove \'@bioimageit/thumbnails\' from "plugins"');
  });

  it('makes queued thumbnails in the background and awaits them all in flush()', async () => {
    const items = await Promise.all([1, 2, 3, 4, 5, 6].map(async (n) => itemAt(await stack(`s${n}.tif`, [2, 16, 16]), `s${n}.tif`)));
    const store = new FakeThumbnailStore(items);
    const maker = new ThumbnailMaker({ log: () => undefined, concurrency: 2 });
    maker.enqueue(store.asStore(), items.slice(0, 3));
    maker.enqueue(store.asStore(), items.slice(3));
    expect(store.saved.size).toBe(0);
    await maker.flush();
    expect([...store.saved.keys()].sort()).toEqual(items.map((i) => i.id).sort());
  });

  it('draws the same thumbnails in this thread when there are no workers', async () => {
    const items = [itemAt(await stack('a.tif', [3, 20, 30]), 'a.tif'), itemAt(await stack('b.tif', [1, 600, 300]), 'b.tif')];
    const store = new FakeThumbnailStore(items);
    expect(await new ThumbnailMaker({ log: () => undefined, workers: 0 }).make(store.asStore(), items)).toEqual({ made: 2, failed: 0, skipped: 0 });
    const inWorkers = new FakeThumbnailStore(items);
    expect(await new ThumbnailMaker({ log: () => undefined, workers: 1 }).make(inWorkers.asStore(), items)).toEqual({ made: 2, failed: 0, skipped: 0 });
    for (const item of items) expect(Buffer.from(store.saved.get(item.id) ?? [])).toEqual(Buffer.from(inWorkers.saved.get(item.id) ?? [1]));
  });

  it('draws and saves nothing while items keep coming: only once the work settles, nothing is queued for saveAfterMs, or maxWaiting items wait', async () => {
    const items = await Promise.all([1, 2, 3].map(async (n) => itemAt(await stack(`h${n}.tif`, [1, 16, 16]), `h${n}.tif`)));
    const held = new FakeThumbnailStore(items);
    const maker = new ThumbnailMaker({ log: () => undefined, saveAfterMs: 60_000 });
    maker.enqueue(held.asStore(), items);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(held.saved.size).toBe(0);
    await maker.close();
    expect(held.saved.size).toBe(3);
    const timed = new FakeThumbnailStore(items);
    const soon = new ThumbnailMaker({ log: () => undefined, saveAfterMs: 10 });
    soon.enqueue(timed.asStore(), items);
    await vi.waitFor(() => expect(timed.saved.size).toBe(3), { timeout: 10_000 });
    const big = new FakeThumbnailStore(items);
    const eager = new ThumbnailMaker({ log: () => undefined, saveAfterMs: 60_000, maxWaiting: 2 });
    eager.enqueue(big.asStore(), items.slice(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(big.saved.size).toBe(0);
    eager.enqueue(big.asStore(), items.slice(1));
    await vi.waitFor(() => expect(big.saved.size).toBe(3), { timeout: 10_000 });
    await Promise.all([soon.close(), eager.close()]);
  });

  it('logs a store failure naming the item and goes on', async () => {
    const items = [itemAt(await stack('a.tif', [1, 4, 4]), 'a.tif'), itemAt(await stack('b.tif', [1, 4, 4]), 'b.tif')];
    const store = new FakeThumbnailStore(items.slice(1));
    const lines: string[] = [];
    const report = await new ThumbnailMaker({ log: (l) => lines.push(l) }).make(store.asStore(), items);
    expect(report).toEqual({ made: 1, failed: 1, skipped: 0 });
    expect(lines).toEqual([expect.stringMatching(/item 'a\.tif' \(id-a\.tif\).*no item 'id-a\.tif'/)]);
  });
});

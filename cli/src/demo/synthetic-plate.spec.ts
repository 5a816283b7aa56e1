import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readTiffMetadata } from '@bioimageit/core';
import { labelComponents } from '../../tools/lib/connected-components.mjs';
import { renderBlobStack, seededRandom, writeSyntheticPlate } from './synthetic-plate.js';

describe('synthetic plate', () => {
  it('draws a deterministic sequence from a seed', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(seededRandom(6)()).not.toBe(first[0]);
  });

  it('renders exactly the asked number of separate blobs, well above the noise', () => {
    const random = seededRandom(11);
    for (let count = 0; count <= 9; count++) {
      const data = renderBlobStack(random, count, [6, 48, 48]);
      const mask = data.map((v) => (v > 500 ? 1 : 0));
      expect(labelComponents(mask, { depth: 6, height: 48, width: 48, connectivity: 'full' }).objects).toHaveLength(count);
      expect(Math.min(...data)).toBeGreaterThanOrEqual(80);
    }
  });

  it('writes named, tagged-by-path OME-TIFF stacks and the expected counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bioimageit-plate-'));
    try {
      const images = await writeSyntheticPlate(dir, { wells: ['A01', 'B02'], imagesPerPopulation: 2, shape: [3, 24, 24] });
      expect(images.map((i) => i.relativePath)).toEqual([
        'plate1/A01/A01_population1_001.ome.tif',
        'plate1/A01/A01_population1_002.ome.tif',
        'plate1/A01/A01_population2_001.ome.tif',
        'plate1/A01/A01_population2_002.ome.tif',
        'plate1/B02/B02_population1_001.ome.tif',
        'plate1/B02/B02_population1_002.ome.tif',
        'plate1/B02/B02_population2_001.ome.tif',
        'plate1/B02/B02_population2_002.ome.tif',
      ]);
      const meta = readTiffMetadata(await readFile(images[0]?.path as string), 'x');
      expect([meta.shape, meta.axes, meta.dtype]).toEqual([[3, 24, 24], 'ZYX', 'uint16']);
      const rows = parseCsv(await readFile(join(dir, 'expected-counts.csv'), 'utf8'));
      expect(rows.slice(1).map((r) => Number(r[4]))).toEqual(images.map((i) => i.blobs));
      expect(images.every((i) => i.blobs >= 2 && i.blobs <= 8)).toBe(true);
      const again = await writeSyntheticPlate(join(dir, 'again'), { wells: ['A01', 'B02'], imagesPerPopulation: 2, shape: [3, 24, 24] });
      expect(await readFile(again[3]?.path as string)).toEqual(await readFile(images[3]?.path as string));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

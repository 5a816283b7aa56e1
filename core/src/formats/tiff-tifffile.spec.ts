import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelArray } from '../extension-points/format-codec.js';
import { readTiffMetadata } from './tiff-metadata.js';
import { readTiffPixels } from './tiff-pixels.js';
import { debianPython, skipWithout } from '../testing/system-part.js';
import { writeTiff } from './tiff-writer.js';

const { python, why } = debianPython(['tifffile', 'numpy']);
const skip = skipWithout('python', why, import.meta.url);

/** Prints one JSON line per file: what tifffile makes of it. */
const DESCRIBE = `
import json, sys, tifffile
for path in sys.argv[1:]:
    with tifffile.TiffFile(path) as t:
        s = t.series[0]
        a = s.asarray()
        print(json.dumps({'ome': t.is_ome, 'bigtiff': t.is_bigtiff, 'imagej': t.is_imagej, 'shape': list(s.shape),
                          'axes': s.axes, 'dtype': str(s.dtype), 'sum': float(a.sum(dtype='float64'))}))
`;

/** Writes files with tifffile and prints what they hold, for the reverse direction. */
const WRITE = `
import json, sys, numpy as np, tifffile
d = sys.argv[1]
a = (np.arange(2*3*4*16*20) % 1000).astype('uint16').reshape(2, 3, 4, 16, 20)
tifffile.imwrite(d + '/t.ome.tif', a, ome=True, metadata={'axes': 'TCZYX', 'PhysicalSizeX': 0.2, 'PhysicalSizeY': 0.2, 'PhysicalSizeZ': 1.5})
tifffile.imwrite(d + '/zlib-tiles.ome.tif', a, ome=True, compression='zlib', tile=(16, 16), metadata={'axes': 'TCZYX'})
tifffile.imwrite(d + '/ij.tif', a.transpose(0, 2, 1, 3, 4).astype('float32'), imagej=True, resolution=(2.0, 2.0), metadata={'axes': 'TZCYX', 'spacing': 1.5, 'unit': 'um'})
tifffile.imwrite(d + '/big.tif', a.reshape(-1, 16, 20).astype('int32') - 400, bigtiff=True)
tifffile.imwrite(d + '/be.tif', a.reshape(-1, 16, 20).astype('>f8') / 4, byteorder='>')
tifffile.imwrite(d + '/rgb.tif', (np.arange(16*20*3) % 256).astype('uint8').reshape(16, 20, 3), photometric='rgb')
print(json.dumps({'sum': float(a.sum(dtype='float64'))}))
`;

function tifffile(script: string, args: string[]): Array<Record<string, unknown>> {
  const out = execFileSync(python!, ['-c', script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function sum(data: PixelArray['data']): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += Number(data[i]);
  return s;
}

describe('cross-check with tifffile (Debian python3-tifffile)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-tifffile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(skip)('tifffile reads our OME-TIFF and BigTIFF with the same shape, dtype, axes and sum', async () => {
    const n = 2 * 3 * 4 * 16 * 20;
    const ome: PixelArray = {
      data: new Uint16Array(n).map((_, i) => (i * 37) % 65535),
      shape: [2, 3, 4, 16, 20],
      dtype: 'uint16',
      axes: 'TCZYX',
      physicalSize: { x: { value: 0.2, unit: 'µm' }, y: { value: 0.2, unit: 'µm' }, z: { value: 1.5, unit: 'µm' } },
    };
    const big: PixelArray = { data: new Float32Array(5 * 16 * 20).map((_, i) => i / 8 - 100), shape: [5, 16, 20], dtype: 'float32', axes: 'ZYX' };
    const rgb: PixelArray = { data: new Uint8Array(3 * 16 * 20 * 3).map((_, i) => i), shape: [3, 16, 20, 3], dtype: 'uint8', axes: 'ZYXS' };
    await writeTiff(join(dir, 'ours.ome.tif'), ome, { ome: true });
    await writeTiff(join(dir, 'ours-big.tif'), big, { bigtiff: true });
    await writeTiff(join(dir, 'ours-big.ome.tif'), ome, { bigtiff: true, ome: true });
    await writeTiff(join(dir, 'ours-rgb.tif'), rgb);
    const [a, b, c, d] = tifffile(
      DESCRIBE,
      ['ours.ome.tif', 'ours-big.tif', 'ours-big.ome.tif', 'ours-rgb.tif'].map((f) => join(dir, f)),
    );
    expect(a).toEqual({ ome: true, bigtiff: false, imagej: false, shape: [2, 3, 4, 16, 20], axes: 'TCZYX', dtype: 'uint16', sum: sum(ome.data) });
    expect(b).toEqual({ ome: false, bigtiff: true, imagej: false, shape: [5, 16, 20], axes: 'ZYX', dtype: 'float32', sum: sum(big.data) });
    expect(c).toEqual({ ...a, bigtiff: true });
    expect(d).toMatchObject({ shape: [3, 16, 20, 3], axes: 'ZYXS', dtype: 'uint8', sum: sum(rgb.data) });
  });

  it.skipIf(skip)('we read what tifffile writes: OME, zlib tiles, ImageJ, BigTIFF, big-endian, RGB', async () => {
    const [{ sum: expected }] = tifffile(WRITE, [dir]) as [{ sum: number }];
    const cases: Array<[string, Record<string, unknown>, number]> = [
      [
        't.ome.tif',
        {
          shape: [2, 3, 4, 16, 20],
          axes: 'TCZYX',
          dtype: 'uint16',
          ome: true,
          physicalSize: { x: { value: 0.2, unit: 'µm' }, y: { value: 0.2, unit: 'µm' }, z: { value: 1.5, unit: 'µm' } },
        },
        expected,
      ],
      ['zlib-tiles.ome.tif', { shape: [2, 3, 4, 16, 20], axes: 'TCZYX', dtype: 'uint16', ome: true }, expected],
      [
        'ij.tif',
        {
          shape: [2, 4, 3, 16, 20],
          axes: 'TZCYX',
          dtype: 'float32',
          imagej: true,
          physicalSize: { x: { value: 0.5, unit: 'µm' }, y: { value: 0.5, unit: 'µm' }, z: { value: 1.5, unit: 'µm' } },
        },
        expected,
      ],
      ['big.tif', { shape: [24, 16, 20], axes: 'ZYX', dtype: 'int32', bigtiff: true }, expected - 400 * 24 * 16 * 20],
      ['be.tif', { shape: [24, 16, 20], axes: 'ZYX', dtype: 'float64', bigtiff: false }, expected / 4],
      ['rgb.tif', { shape: [16, 20, 3], axes: 'YXS', dtype: 'uint8' }, Array.from({ length: 960 }, (_, i) => i % 256).reduce((x, y) => x + y, 0)],
    ];
    for (const [name, meta, total] of cases) {
      const path = join(dir, name);
      expect(readTiffMetadata(readFileSync(path), path), name).toMatchObject(meta);
      const px = await readTiffPixels(path);
      expect(px.shape, name).toEqual(meta['shape']);
      expect(sum(px.data), name).toBe(total);
    }
  });
});

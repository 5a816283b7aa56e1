import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PngCodec, TiffCodec, writeTiff, type FormatCodec, type PixelArray } from '@bioimageit/core';
import { loadCoreEncoder, probePngEncoder } from './png-encoder.js';
import { drawThumbnail } from './render-thumbnail.js';

const options = { maxSize: 128, percentiles: [0.1, 99.9] as const, maxPixelBytes: 2 ** 26 };
const tiff: FormatCodec = new TiffCodec();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-thumb-render-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes `pixels` as a TIFF (OME with `channels` when given) and returns its path. */
async function tif(name: string, pixels: PixelArray, channels?: { name: string; color: string }[]): Promise<string> {
  const path = join(dir, name);
  await writeTiff(path, pixels, channels === undefined ? {} : { ome: true, channels });
  return path;
}

/** Decoded PNG as RGB triples. */
function rgb(png: Uint8Array): { width: number; height: number; at: (x: number, y: number) => number[] } {
  const image = decode(png);
  const data = image.data as Uint8Array;
  return {
    width: image.width,
    height: image.height,
    at: (x, y) => Array.from(data.subarray((y * image.width + x) * image.channels, (y * image.width + x) * image.channels + 3)),
  };
}

describe('drawThumbnail', () => {
  it('draws the stretched maximum projection of a single-channel uint16 stack in grey, at its own size when small', async () => {
    // Z=2 planes of 4×3: plane 1 holds a bright pixel at (x=2, y=1); the rest is a ramp
    const [z, h, w] = [2, 3, 4];
    const data = new Uint16Array(z * h * w);
    for (let i = 0; i < h * w; i++) data[i] = 1000 + i * 10;
    data[h * w + 1 * w + 2] = 50_000;
    const png = rgb(
      await drawThumbnail(tiff, await tif('ramp.tif', { data, shape: [z, h, w], axes: 'ZYX', dtype: 'uint16' }), undefined, await loadCoreEncoder(), options),
    );
    expect([png.width, png.height]).toEqual([4, 3]);
    expect(png.at(2, 1)).toEqual([255, 255, 255]);
    expect(png.at(0, 0)).toEqual([0, 0, 0]);
    // window 1000..50000 (the 0.1 and 99.9 percentiles of the 12 projected values): 1110 at (3, 2) is 1.4 of 255, in grey
    expect(png.at(3, 2)).toEqual([1, 1, 1]);
  });

  it("draws each channel in its colour (from the file's metadata) on a 3-channel ZCYX stack, shrunk to 128 px keeping its aspect", async () => {
    const [z, c, h, w] = [3, 3, 150, 300];
    const data = new Uint16Array(z * c * h * w);
    // channel k lights the k-th third of the image, on z-plane k only
    for (let k = 0; k < 3; k++) for (let y = 0; y < h; y++) for (let x = k * 100; x < (k + 1) * 100; x++) data[((k * c + k) * h + y) * w + x] = 2000;
    const channels = [
      { name: 'DAPI', color: '#0000ff' },
      { name: 'GFP', color: '#00ff00' },
      { name: 'Cy5', color: '#ff00ff' },
    ];
    const path = await tif('three.ome.tif', { data, shape: [z, c, h, w], axes: 'ZCYX', dtype: 'uint16' }, channels);
    const png = rgb(await drawThumbnail(tiff, path, { channels }, await loadCoreEncoder(), options));
    expect([png.width, png.height]).toEqual([128, 64]);
    expect([png.at(20, 30), png.at(64, 30), png.at(108, 30)]).toEqual([
      [0, 0, 255],
      [0, 255, 0],
      [255, 0, 255],
    ]);
  });

  it('renders an RGB PNG in its own colours', async () => {
    const codec = new PngCodec();
    const path = join(dir, 'rgb.png');
    await codec.writePixels!(path, { data: Uint8Array.from([255, 0, 0, 0, 0, 255]), shape: [1, 2, 3], axes: 'YXS', dtype: 'uint8' });
    const png = rgb(await drawThumbnail(codec, path, undefined, await loadCoreEncoder(), options));
    expect([png.at(0, 0), png.at(1, 0)]).toEqual([
      [255, 0, 0],
      [0, 0, 255],
    ]);
  });

  it('proves the default encoder at first use', async () => {
    await expect(probePngEncoder(loadCoreEncoder)).resolves.toHaveProperty('encodePng');
  });
});

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatRegistry, builtinFormatCodecs, writeTiff, type DataItem, type ExperimentStore } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { decode } from 'fast-png';
import { PreviewService } from './preview-service.js';

/** Width, height and the grey level of the first pixel of a PNG. */
const pngFacts = (png: Uint8Array) => {
  const image = decode(png);
  return [image.width, image.height, (image.data as Uint8Array)[0]];
};

describe('PreviewService', () => {
  let dir: string;
  let store: ExperimentStore;
  const formats = new FormatRegistry();
  for (const codec of builtinFormatCodecs()) formats.register(codec, 'core');
  const item = (over: Partial<DataItem>): DataItem =>
    ({ id: 'i1', name: 'stack.tif', dataset: 'data', format: 'imagetiff', tags: {}, metadata: {}, origin: { type: 'raw' }, ...over }) as DataItem;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bioimageit-preview-'));
    await mkdir(join(dir, 'exp', '.bioimageit', 'thumbnails'), { recursive: true });
    await writeFile(join(dir, 'exp', '.bioimageit', 'thumbnails', 'i1.png'), 'stored-png');
    await writeFile(join(dir, 'outside.png'), 'secret');
    const data = new Uint16Array(3 * 4 * 5).map((_, i) => i);
    await writeTiff(join(dir, 'stack.tif'), { data, shape: [3, 4, 5], dtype: 'uint16', axes: 'ZYX' });
    store = { uri: pathToFileURL(join(dir, 'exp')).href, localize: async () => join(dir, 'stack.tif') } as unknown as ExperimentStore;
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reports axis sizes and the stack window, and renders the asked plane or the maximum projection through that window', async () => {
    const previews = new PreviewService(formats);
    expect(await previews.info(store, item({}))).toMatchObject({
      axes: 'ZYX',
      sizeZ: 3,
      width: 5,
      height: 4,
      dtype: 'uint16',
      samples: 1,
      channels: [{ index: 0, color: '#ffffff', window: { start: 0, end: 59, min: 0, max: 59 } }],
    });
    // the window is the stack's (0..59), not the plane's: z=0 starts black, z=2 starts at 40/59 of white
    expect(pngFacts(await previews.preview(store, item({}), { z: 0 }, 5))).toEqual([5, 4, 0]);
    expect(pngFacts(await previews.preview(store, item({}), { z: 2 }, 5))).toEqual([5, 4, Math.round((40 / 59) * 255)]);
    expect(pngFacts(await previews.preview(store, item({}), { z: 'max' }, 10))).toEqual([10, 8, Math.round((40 / 59) * 255)]);
    expect(pngFacts(await previews.preview(store, item({}), { z: 2, channels: { list: [{ index: 0, active: true, start: 40, end: 41 }] } }, 5))).toEqual([
      5, 4, 0,
    ]);
    await expect(previews.preview(store, item({}), { z: 0, channels: { list: [{ index: 1, active: true }] } }, 5)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'stack.tif': channel 2 is outside the image (it has 1 channels: 1..1)",
    });
    await expect(previews.preview(store, item({}), { z: 0, region: { x: 4, y: 0, width: 2, height: 2 } }, 5)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'stack.tif': region 4,0,2,2 is outside the image (5×4)",
    });
    await expect(previews.preview(store, item({}), { z: 3 }, 64)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'stack.tif': z=3 is outside the image (z has 3 planes: 0..2)",
    });
  });

  it('serves a stored thumbnail inside the experiment, refuses one outside, and renders one otherwise', async () => {
    const previews = new PreviewService(formats);
    const inside = pathToFileURL(join(dir, 'exp', '.bioimageit', 'thumbnails', 'i1.png')).href;
    expect(Buffer.from(await previews.thumbnail(store, item({ thumbnail: inside }), 128)).toString()).toBe('stored-png');
    const outside = pathToFileURL(join(dir, 'outside.png')).href;
    const refused = await previews.thumbnail(store, item({ thumbnail: outside }), 128).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: "thumbnail of item 'stack.tif' lies outside the experiment folder" });
    expect(pngFacts(await previews.thumbnail(store, item({ id: 'i2' }), 96))).toEqual([96, 77, 0]);
  });

  it('says which item is not an image', async () => {
    const previews = new PreviewService(formats);
    await expect(previews.info(store, item({ name: 'table.csv', format: 'tablecsv' }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'table.csv' is not an image (format tablecsv); previews exist for image formats only",
    });
  });
});

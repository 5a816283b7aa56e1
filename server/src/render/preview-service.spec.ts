import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatRegistry, builtinFormatCodecs, writeTiff, type DataItem, type ExperimentStore } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import type { Plane } from './image-plane.js';
import { PreviewService } from './preview-service.js';

/** A renderer that records what it was asked to draw instead of drawing it. */
class RecordingRenderer {
  readonly planes: { plane: Plane; size: number }[] = [];
  async render(plane: Plane, size: number): Promise<Uint8Array> {
    this.planes.push({ plane, size });
    return new Uint8Array([plane.width, plane.height, size]);
  }
}

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

  it('reports axis sizes and renders the asked plane or the maximum projection', async () => {
    const renderer = new RecordingRenderer();
    const previews = new PreviewService(formats, renderer);
    expect(await previews.info(store, item({}))).toMatchObject({ axes: 'ZYX', sizeZ: 3, width: 5, height: 4, dtype: 'uint16' });
    await previews.preview(store, item({}), { z: 2 }, 256);
    await previews.preview(store, item({}), { z: 'max' }, 64);
    expect(renderer.planes.map((p) => [p.plane.values[0], p.size])).toEqual([
      [40, 256],
      [40, 64],
    ]);
    await expect(previews.preview(store, item({}), { z: 3 }, 64)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'stack.tif': z=3 is outside the image (z has 3 planes: 0..2)",
    });
  });

  it('serves a stored thumbnail inside the experiment, refuses one outside, and renders one otherwise', async () => {
    const previews = new PreviewService(formats, new RecordingRenderer());
    const inside = pathToFileURL(join(dir, 'exp', '.bioimageit', 'thumbnails', 'i1.png')).href;
    expect(Buffer.from(await previews.thumbnail(store, item({ thumbnail: inside }), 128)).toString()).toBe('stored-png');
    const outside = pathToFileURL(join(dir, 'outside.png')).href;
    const refused = await previews.thumbnail(store, item({ thumbnail: outside }), 128).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: "thumbnail of item 'stack.tif' lies outside the experiment folder" });
    expect([...(await previews.thumbnail(store, item({ id: 'i2' }), 96))]).toEqual([5, 4, 96]);
  });

  it('says which item is not an image', async () => {
    const previews = new PreviewService(formats, new RecordingRenderer());
    await expect(previews.info(store, item({ name: 'table.csv', format: 'tablecsv' }))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: "item 'table.csv' is not an image (format tablecsv); previews exist for image formats only",
    });
  });
});

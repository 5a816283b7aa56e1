import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelArray } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { pixelDataConstructor, type PixelDtype } from './pixel-dtype.js';
import { TiffCodec } from './tiff-codec.js';
import { readTiffMetadata } from './tiff-metadata.js';
import { decodeTiffPixels, readTiffPixels } from './tiff-pixels.js';
import { encodeTiff, writeTiff } from './tiff-writer.js';

const DTYPES: PixelDtype[] = ['uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'float32', 'float64'];

/** A pixel array whose values run through the type's range (negative, fractional where allowed). */
function ramp(dtype: PixelDtype, shape: number[], axes: string, extra: Partial<PixelArray> = {}): PixelArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new (pixelDataConstructor(dtype))(n);
  for (let i = 0; i < n; i++) {
    const v = (i * 7919) % 251;
    data[i] = dtype.startsWith('float') ? v / 4 - 30 : dtype.startsWith('int') ? v - 125 : v;
  }
  if (dtype === 'uint32') data[n - 1] = 0xffff_fff0;
  if (dtype === 'int32') data[0] = -0x7fff_fff0;
  return { data, shape, dtype, axes, ...extra };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-tiff-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('encodeTiff → readTiffMetadata / decodeTiffPixels', () => {
  for (const dtype of DTYPES) {
    for (const ome of [false, true]) {
      it(`round-trips ${dtype} ZYX (${ome ? 'OME' : 'plain'})`, async () => {
        const pixels = ramp(dtype, [3, 5, 7], 'ZYX');
        const bytes = encodeTiff(pixels, { ome });
        const meta = readTiffMetadata(bytes, 'mem.tif');
        expect(meta).toMatchObject({ shape: [3, 5, 7], dtype, axes: 'ZYX', ome, bigtiff: false, pages: 3 });
        const back = await decodeTiffPixels(bytes, 'mem.tif');
        expect(back.dtype).toBe(dtype);
        expect(back.data).toBeInstanceOf(pixelDataConstructor(dtype));
        expect(Array.from(back.data)).toEqual(Array.from(pixels.data));
      });
    }
  }

  const shapes: Array<[string, number[]]> = [
    ['YX', [9, 11]],
    ['ZYX', [4, 9, 11]],
    ['TCZYX', [2, 3, 4, 9, 11]],
    ['YXS', [6, 5, 3]],
    ['ZYXS', [2, 6, 5, 3]],
    ['CZYX', [2, 3, 4, 5]],
    ['ZTYX', [2, 3, 4, 5]],
  ];
  for (const [axes, shape] of shapes) {
    for (const ome of [false, true]) {
      it(`keeps shape ${shape.join('x')} ${axes} (${ome ? 'OME' : 'plain'})`, async () => {
        const pixels = ramp('uint16', shape, axes);
        const bytes = encodeTiff(pixels, { ome });
        expect(readTiffMetadata(bytes, 'm.tif')).toMatchObject({ shape, axes, ome });
        const back = await decodeTiffPixels(bytes, 'm.tif');
        expect(back.shape).toEqual(shape);
        expect(back.axes).toBe(axes);
        expect(Array.from(back.data)).toEqual(Array.from(pixels.data));
      });
    }
  }

  it('drops size-1 axes from OME files (as tifffile does) but keeps them in plain files', () => {
    const pixels = ramp('uint8', [1, 2, 1, 4, 5], 'TCZYX');
    expect(readTiffMetadata(encodeTiff(pixels, { ome: true }), 'a.ome.tif')).toMatchObject({ shape: [2, 4, 5], axes: 'CYX' });
    expect(readTiffMetadata(encodeTiff(pixels), 'a.tif')).toMatchObject({ shape: [1, 2, 1, 4, 5], axes: 'TCZYX' });
  });

  it('writes physical sizes into OME-XML and the plain JSON description', () => {
    const physicalSize = { x: { value: 0.3, unit: 'µm' }, y: { value: 0.3, unit: 'µm' }, z: { value: 1.5, unit: 'µm' }, t: { value: 2, unit: 's' } };
    for (const ome of [true, false]) {
      const meta = readTiffMetadata(encodeTiff(ramp('float32', [2, 3, 4, 5], 'TZYX', { physicalSize }), { ome }), 'p.tif');
      expect(meta.physicalSize).toEqual(physicalSize);
    }
  });

  it('puts a custom description into OME-XML and escapes it', () => {
    const bytes = encodeTiff(ramp('uint8', [2, 2], 'YX'), { ome: true, description: 'a <b> & "c"' });
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('<Description>a &lt;b&gt; &amp; &quot;c&quot;</Description>');
    expect(readTiffMetadata(bytes, 'd.ome.tif').ome).toBe(true);
  });

  it('reads an ImageJ hyperstack description with resolution, spacing and frame interval', async () => {
    const pixels = ramp('uint16', [4, 3, 2, 5, 6], 'TZCYX', { physicalSize: { x: { value: 0.25, unit: 'µm' }, y: { value: 0.4, unit: 'µm' } } });
    const description = 'ImageJ=1.53t\nimages=24\nchannels=2\nslices=3\nframes=4\nhyperstack=true\nunit=micron\nspacing=0.5\nfinterval=2\nloop=false\n';
    const bytes = encodeTiff(pixels, { description });
    const meta = readTiffMetadata(bytes, 'ij.tif');
    expect(meta).toMatchObject({ shape: [4, 3, 2, 5, 6], axes: 'TZCYX', imagej: true, ome: false, pages: 24 });
    expect(meta.physicalSize).toEqual({
      x: { value: 0.25, unit: 'µm' },
      y: { value: 0.4, unit: 'µm' },
      z: { value: 0.5, unit: 'µm' },
      t: { value: 2, unit: 's' },
    });
    expect(Array.from((await decodeTiffPixels(bytes, 'ij.tif')).data)).toEqual(Array.from(pixels.data));
  });

  it('reads an ImageJ stack with only images= as ZYX', () => {
    const bytes = encodeTiff(ramp('uint8', [5, 3, 3], 'ZYX'), { description: 'ImageJ=1.54f\nimages=5\n' });
    expect(readTiffMetadata(bytes, 'ij.tif')).toMatchObject({ shape: [5, 3, 3], axes: 'ZYX', imagej: true });
  });

  it('treats a file with an unrelated description as plain pages', () => {
    const bytes = encodeTiff(ramp('uint8', [2, 3, 4, 5], 'CZYX'), { description: 'acquired on scope 3' });
    expect(readTiffMetadata(bytes, 'x.tif')).toMatchObject({ shape: [6, 4, 5], axes: 'ZYX', ome: false, imagej: false });
  });

  for (const ome of [false, true]) {
    it(`round-trips a BigTIFF (${ome ? 'OME' : 'plain'})`, async () => {
      const pixels = ramp('float64', [2, 3, 4, 6, 5], 'TCZYX');
      const bytes = encodeTiff(pixels, { bigtiff: true, ome });
      expect(Array.from(bytes.subarray(0, 4))).toEqual([0x49, 0x49, 43, 0]);
      expect(readTiffMetadata(bytes, 'b.tif')).toMatchObject({ shape: [2, 3, 4, 6, 5], axes: 'TCZYX', bigtiff: true, ome, pages: 24 });
      expect(Array.from((await decodeTiffPixels(bytes, 'b.tif')).data)).toEqual(Array.from(pixels.data));
    });
  }

  it('rejects inconsistent pixel arrays with FormatError UNSUPPORTED', () => {
    const bad: PixelArray[] = [
      { data: new Uint8Array(6), shape: [2, 4], dtype: 'uint8', axes: 'YX' },
      { data: new Uint8Array(8), shape: [2, 4], dtype: 'uint16', axes: 'YX' },
      { data: new Uint8Array(8), shape: [2, 4], dtype: 'uint8', axes: 'XY' },
      { data: new Uint8Array(8), shape: [2, 4], dtype: 'uint8', axes: 'ZYX' },
      { data: new Uint8Array(8), shape: [2, 2, 2], dtype: 'uint8', axes: 'QYX' },
    ];
    for (const pixels of bad) {
      expect(() => encodeTiff(pixels)).toThrow(FormatError);
      try {
        encodeTiff(pixels);
      } catch (error) {
        expect((error as FormatError).code).toBe('UNSUPPORTED');
      }
    }
  });
});

describe('writeTiff and TiffCodec', () => {
  it('writes atomically and leaves no temporary file', async () => {
    const path = join(dir, 'atomic.tif');
    const pixels = ramp('int16', [3, 4, 5], 'ZYX');
    await writeTiff(path, pixels);
    await writeTiff(path, ramp('int16', [2, 4, 5], 'ZYX'));
    expect((await readdir(dir)).filter((n) => n.includes('atomic'))).toEqual(['atomic.tif']);
    expect((await readTiffPixels(path)).shape).toEqual([2, 4, 5]);
  });

  it('reports a missing folder as FormatError IO naming the path', async () => {
    const path = join(dir, 'no', 'such', 'x.tif');
    await expect(writeTiff(path, ramp('uint8', [2, 2], 'YX'))).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining(path) });
    await expect(readTiffPixels(path)).rejects.toMatchObject({ code: 'IO', message: expect.stringContaining(path) });
  });

  it('writes OME-TIFF for .ome.tif paths and reads metadata and pixels back', async () => {
    const codec = new TiffCodec();
    const pixels = ramp('uint16', [2, 3, 8, 9], 'CZYX', { physicalSize: { x: { value: 0.1, unit: 'µm' }, y: { value: 0.1, unit: 'µm' } } });
    for (const name of ['c.ome.tif', 'c.tif']) {
      const path = join(dir, name);
      await codec.writePixels(path, pixels);
      const meta = await codec.readMetadata(await readFile(path), path);
      expect(meta).toMatchObject({ shape: [2, 3, 8, 9], axes: 'CZYX', dtype: 'uint16', ome: name.includes('.ome.'), physicalSize: pixels.physicalSize });
      const back = await codec.readPixels(path);
      expect(back).toMatchObject({ shape: [2, 3, 8, 9], axes: 'CZYX', dtype: 'uint16', physicalSize: pixels.physicalSize });
      expect(Array.from(back.data)).toEqual(Array.from(pixels.data));
    }
  });
});

import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelArray } from '../extension-points/format-codec.js';
import { debianPython, skipWithout } from '../testing/system-part.js';
import { seededRandom } from '../util/bytes.js';
import { pixelDataConstructor, type PixelDtype } from './pixel-dtype.js';
import { createTiffPlaneWriter, type TiffPlaneImage } from './tiff-plane-writer.js';
import { readTiffPixels } from './tiff-pixels.js';
import { writeTiff, type TiffWriteOptions } from './tiff-writer.js';

const { python, why } = debianPython(['tifffile', 'numpy']);
const skipPython = skipWithout('python', why, import.meta.url);

let dir: string;
let folders = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bioimageit-planes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh empty folder, so that a test can list what a writer left there. */
async function folder(): Promise<string> {
  const path = join(dir, `f${folders++}`);
  await mkdir(path);
  return path;
}

function ramp(dtype: PixelDtype, shape: number[], axes: string): PixelArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new (pixelDataConstructor(dtype))(n);
  for (let i = 0; i < n; i++) data[i] = dtype.startsWith('float') ? ((i * 7919) % 1000) / 8 - 40 : (i * 7919) % 251;
  return { data, shape, dtype, axes };
}

function shuffled(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The pixels of plane `index` (pages in C order over the leading axes). */
function plane(pixels: PixelArray, index: number, planes: number): PixelArray['data'] {
  const size = pixels.data.length / planes;
  return pixels.data.subarray(index * size, (index + 1) * size);
}

/** Writes `pixels` plane by plane in a shuffled order, concurrently when asked. */
async function writeByPlanes(path: string, pixels: PixelArray, image: Partial<TiffPlaneImage>, options: TiffWriteOptions, concurrent = false): Promise<void> {
  const writer = await createTiffPlaneWriter(path, { shape: pixels.shape, dtype: pixels.dtype, axes: pixels.axes, ...image }, options);
  const order = shuffled(writer.planes, writer.planes * 31 + 7);
  if (concurrent) await Promise.all(order.map((i) => writer.writePlane(i, plane(pixels, i, writer.planes))));
  else for (const i of order) await writer.writePlane(i, plane(pixels, i, writer.planes));
  await writer.close();
}

const physicalSize = { x: { value: 0.25, unit: 'µm' }, y: { value: 0.25, unit: 'µm' }, z: { value: 1.5, unit: 'µm' } };
const timeIncrement = { value: 2.5, unit: 's' };
const channels = [
  { name: 'DAPI', color: '#0000ff', emission: { value: 461, unit: 'nm' } },
  { name: 'GFP', color: '#00ff00' },
  { name: 'mCherry', color: '#ff0000', excitation: { value: 587, unit: 'nm' } },
];

describe('createTiffPlaneWriter: same bytes as writeTiff', () => {
  const cases: Array<{
    name: string;
    pixels: PixelArray;
    image?: Partial<TiffPlaneImage>;
    options: TiffWriteOptions;
    whole?: PixelArray;
    wholeOptions?: TiffWriteOptions;
    concurrent?: boolean;
  }> = [
    { name: 'ZYX uint16', pixels: ramp('uint16', [7, 17, 23], 'ZYX'), options: {} },
    {
      name: 'TCZYX float32, OME, channels, physical sizes, time increment',
      pixels: ramp('float32', [2, 3, 4, 9, 11], 'TCZYX'),
      image: { physicalSize, timeIncrement, channels },
      options: { ome: true },
      whole: { ...ramp('float32', [2, 3, 4, 9, 11], 'TCZYX'), physicalSize: { ...physicalSize, t: timeIncrement } },
      wholeOptions: { ome: true, channels },
      concurrent: true,
    },
    { name: 'YXS uint8 RGB', pixels: ramp('uint8', [16, 20, 3], 'YXS'), options: {} },
    { name: 'ZYXS uint16 RGBA, plain JSON description with channels', pixels: ramp('uint16', [3, 6, 5, 4], 'ZYXS'), options: { channels: [{ name: 'rgba' }] } },
    {
      name: 'CZYX int16 BigTIFF forced, OME',
      pixels: ramp('int16', [2, 5, 8, 9], 'CZYX'),
      image: { physicalSize },
      options: { bigtiff: true, ome: true },
      concurrent: true,
    },
    {
      name: 'ZYX float64 BigTIFF forced, custom description',
      pixels: ramp('float64', [4, 3, 5], 'ZYX'),
      options: { bigtiff: true, description: 'from a model' },
    },
  ];
  for (const { name, pixels, image = {}, options, whole, wholeOptions, concurrent } of cases) {
    it(`${name}${concurrent ? ' (planes written concurrently)' : ''}`, async () => {
      const at = await folder();
      const expected = join(at, 'whole.tif');
      const actual = join(at, 'planes.tif');
      await writeTiff(expected, whole ?? { ...pixels, ...(image.physicalSize && { physicalSize: image.physicalSize }) }, wholeOptions ?? options);
      await writeByPlanes(actual, pixels, image, options, concurrent);
      const [a, b] = await Promise.all([readFile(actual), readFile(expected)]);
      expect(a.byteLength).toBe(b.byteLength);
      expect(a.equals(b)).toBe(true);
      expect((await readdir(at)).sort()).toEqual(['planes.tif', 'whole.tif']);
      const back = await readTiffPixels(actual);
      expect(back.shape).toEqual(pixels.shape);
      expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(pixels.data.buffer))).toBe(true);
    });
  }
});

describe('createTiffPlaneWriter: failures', () => {
  it('abort removes the temporary file and leaves nothing', async () => {
    const at = await folder();
    const pixels = ramp('uint16', [4, 5, 6], 'ZYX');
    const writer = await createTiffPlaneWriter(join(at, 'a.tif'), pixels);
    expect(await readdir(at)).toHaveLength(1);
    await writer.writePlane(2, plane(pixels, 2, 4));
    await writer.abort();
    await writer.abort();
    expect(await readdir(at)).toEqual([]);
    await expect(writer.writePlane(0, plane(pixels, 0, 4))).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('aborted') });
    await expect(writer.close()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('close names the missing planes, removes the temporary file and leaves no file at the path', async () => {
    const at = await folder();
    const path = join(at, 'm.ome.tif');
    const pixels = ramp('uint8', [2, 3, 4, 5], 'CZYX');
    const writer = await createTiffPlaneWriter(path, pixels, { ome: true });
    expect(writer.planes).toBe(6);
    for (const i of [0, 2, 4, 5]) await writer.writePlane(i, plane(pixels, i, 6));
    const error = await writer.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'FormatError', code: 'UNSUPPORTED', message: `${path}: 2 of 6 planes were never written: 1, 3` });
    expect(await readdir(at)).toEqual([]);
    await expect(writer.writePlane(1, plane(pixels, 1, 6))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('leaves an existing file in place when close fails, and replaces it when close succeeds', async () => {
    const at = await folder();
    const path = join(at, 'keep.tif');
    await writeFile(path, 'old');
    const pixels = ramp('uint8', [2, 3, 4], 'ZYX');
    const failing = await createTiffPlaneWriter(path, pixels);
    await expect(failing.close()).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('never written: 0, 1') });
    expect(await readFile(path, 'utf8')).toBe('old');
    await writeByPlanes(path, pixels, {}, {});
    expect(await readdir(at)).toEqual(['keep.tif']);
    expect((await readTiffPixels(path)).shape).toEqual([2, 3, 4]);
  });

  it('rejects a wrong plane, index, dtype, a second write and writes after close with UNSUPPORTED naming the path', async () => {
    const at = await folder();
    const path = join(at, 'w.tif');
    const pixels = ramp('uint16', [3, 4, 5], 'ZYX');
    const writer = await createTiffPlaneWriter(path, pixels);
    const bad: Array<[number, PixelArray['data'], string]> = [
      [0, new Uint16Array(19), 'has 19 values, a plane of this image has 20'],
      [0, new Uint8Array(20), 'not the Uint16Array of dtype uint16'],
      [0, new Int16Array(20), 'not the Uint16Array'],
      [3, new Uint16Array(20), 'out of range (the image has 3 planes)'],
      [-1, new Uint16Array(20), 'out of range'],
      [1.5, new Uint16Array(20), 'out of range'],
    ];
    for (const [index, data, why] of bad) {
      await expect(writer.writePlane(index, data)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining(why) });
      await expect(writer.writePlane(index, data)).rejects.toMatchObject({ message: expect.stringContaining(path) });
    }
    for (let i = 0; i < 3; i++) await writer.writePlane(i, plane(pixels, i, 3));
    await expect(writer.writePlane(1, plane(pixels, 1, 3))).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('plane 1 was already written'),
    });
    const closing = writer.close();
    expect(writer.close()).toBe(closing);
    await closing;
    await expect(writer.writePlane(0, plane(pixels, 0, 3))).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: `${path}: cannot write plane 0: the TIFF plane writer is closed`,
    });
    await writer.abort();
    expect(Array.from((await readTiffPixels(path)).data)).toEqual(Array.from(pixels.data));
  });

  it('rejects an image writeTiff could not write (UNSUPPORTED) and a missing folder (IO), naming the path', async () => {
    const at = await folder();
    const path = join(at, 'x.tif');
    await expect(createTiffPlaneWriter(path, { shape: [2, 3, 4], dtype: 'uint8', axes: 'ZXY' })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining(path),
    });
    await expect(createTiffPlaneWriter(path, { shape: [2, 3, 4], dtype: 'uint8', axes: 'CYX', channels })).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('3 channel descriptions given for 2 channel(s)'),
    });
    // a writer that opens is aborted: a FileHandle left to the garbage collector is an error on Node 26
    const opened = await createTiffPlaneWriter(path, { shape: [2, 3, 4], dtype: 'uint8', axes: 'ZYX' }, { bigtiff: false, description: 'x' });
    expect(opened.planes).toBe(2);
    await opened.abort();
    const missing = join(at, 'no', 'such', 'y.tif');
    await expect(createTiffPlaneWriter(missing, { shape: [3, 4], dtype: 'uint8', axes: 'YX' })).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringContaining(missing),
    });
  });
});

describe('createTiffPlaneWriter: cross-check with tifffile (Debian python3-tifffile)', () => {
  it.skipIf(skipPython)('tifffile reads a plane-written OME-TIFF with the right shape, axes, dtype, values and physical sizes', async () => {
    const path = join(await folder(), 'tf.ome.tif');
    const pixels = ramp('uint16', [2, 3, 4, 16, 20], 'TCZYX');
    await writeByPlanes(path, pixels, { physicalSize, timeIncrement, channels }, { ome: true }, true);
    const script = `
import json, sys, tifffile
with tifffile.TiffFile(sys.argv[1]) as t:
    s = t.series[0]
    a = s.asarray()
    p = t.ome_metadata
    print(json.dumps({'ome': t.is_ome, 'shape': list(s.shape), 'axes': s.axes, 'dtype': str(s.dtype),
                      'values': a.ravel().tolist(), 'psx': 'PhysicalSizeX="0.25"' in p, 'ti': 'TimeIncrement="2.5"' in p,
                      'gfp': 'Name="GFP"' in p}))
`;
    const out = JSON.parse(execFileSync(python!, ['-c', script, path], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, unknown>;
    expect(out).toMatchObject({ ome: true, shape: [2, 3, 4, 16, 20], axes: 'TCZYX', dtype: 'uint16', psx: true, ti: true, gfp: true });
    expect(out['values']).toEqual(Array.from(pixels.data));
  });
});

describe('createTiffPlaneWriter: bounded memory', () => {
  const volume = { planes: 384, height: 1024, width: 2048 };
  const bytes = volume.planes * volume.height * volume.width * 2;
  let free = 0;
  beforeAll(async () => {
    const fs = await statfs(tmpdir());
    free = fs.bavail * fs.bsize;
  });

  it(`writes a ${(bytes / 2 ** 30).toFixed(1)} GiB uint16 volume plane by plane with RSS growth under 150 MB`, async (context) => {
    if (free < 3e9) context.skip(`only ${free} bytes free in ${tmpdir()}`);
    const path = join(await folder(), 'big.tif');
    try {
      const buffer = new Uint16Array(volume.height * volume.width);
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const writer = await createTiffPlaneWriter(path, { shape: [volume.planes, volume.height, volume.width], dtype: 'uint16', axes: 'ZYX' });
      for (let z = 0; z < volume.planes; z++) {
        buffer.fill(z * 97);
        await writer.writePlane(z, buffer);
        if (z % 32 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      await writer.close();
      const after = process.memoryUsage().rss;
      peak = Math.max(peak, after);
      console.info(
        `tiff-plane-writer: ${bytes} bytes written; RSS ${(before / 2 ** 20).toFixed(0)} MiB before, ${(after / 2 ** 20).toFixed(0)} MiB after, peak ${(peak / 2 ** 20).toFixed(0)} MiB`,
      );
      expect(after - before).toBeLessThan(150e6);
      expect(peak - before).toBeLessThan(150e6);
      expect((await stat(path)).size).toBeGreaterThan(bytes);
      const one = await readTiffPixels(path, { select: { Z: 200 } });
      expect(one.shape).toEqual([volume.height, volume.width]);
      expect([one.data[0], one.data[one.data.length - 1]]).toEqual([(200 * 97) & 0xffff, (200 * 97) & 0xffff]);
    } finally {
      await rm(path, { force: true });
    }
  });
});

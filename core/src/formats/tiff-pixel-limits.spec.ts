import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FormatError } from '../errors/area-errors.js';
import { deflateBomb, stripTiff } from '../testing/hostile-tiffs.js';
import { FileByteView, memoryByteView } from './byte-view.js';
import { defaultMaxPixelBytes, parseByteSize } from './pixel-limits.js';
import { readPlane } from './read-plane.js';
import { TiffCodec } from './tiff-codec.js';
import { readTiffFileLayout } from './tiff-metadata.js';
import { readTiffPixels } from './tiff-pixels.js';
import { encodeTiff, writeTiff } from './tiff-writer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tiff-limits-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A T=2, C=3, Z=4, 5×7 uint16 hyperstack whose value encodes its position. */
async function hyperstack(): Promise<string> {
  const file = path.join(dir, 'hyper.ome.tif');
  const data = new Uint16Array(2 * 3 * 4 * 5 * 7).map((_, i) => i);
  await writeTiff(file, { data, shape: [2, 3, 4, 5, 7], dtype: 'uint16', axes: 'TCZYX' }, { ome: true });
  return file;
}

describe('bounded TIFF pixel reads', () => {
  it('reads only the selected planes, dropping the selected axes', async () => {
    const file = await hyperstack();
    const whole = await readTiffPixels(file);
    expect(whole.axes).toBe('TCZYX');
    const part = await readTiffPixels(file, { select: { T: 1, C: 2 } });
    expect(part.axes).toBe('ZYX');
    expect(part.shape).toEqual([4, 5, 7]);
    const start = (1 * 3 + 2) * 4 * 35;
    expect(Array.from(part.data)).toEqual(Array.from(whole.data.subarray(start, start + 4 * 35)));
    const plane = await readTiffPixels(file, { select: { T: 0, C: 1, Z: 3 } });
    expect(plane.shape).toEqual([5, 7]);
    expect(plane.data[0]).toBe((1 * 4 + 3) * 35);
  });

  it('refuses a selection outside the image with a RangeError naming the axis and its size', async () => {
    const file = await hyperstack();
    await expect(readTiffPixels(file, { select: { C: 3 } })).rejects.toThrow(/C=3 is outside the image \(C has 3 planes: 0\.\.2\)/);
    await expect(readTiffPixels(file, { select: { Z: -1 } })).rejects.toThrow(RangeError);
    const flat = path.join(dir, 'flat.tif');
    await writeTiff(flat, { data: new Uint8Array(6), shape: [2, 3], dtype: 'uint8', axes: 'YX' });
    expect((await readTiffPixels(flat, { select: { T: 0, C: 0, Z: 0 } })).shape).toEqual([2, 3]);
    await expect(readTiffPixels(flat, { select: { T: 1 } })).rejects.toThrow(/T=1 is outside the image \(T has 1 plane: 0\.\.0\)/);
  });

  it('refuses a decompression bomb from its declared size before decoding anything', async () => {
    const file = path.join(dir, 'bomb.tif');
    await writeFile(file, await deflateBomb(8192, 8192));
    const before = process.memoryUsage().arrayBuffers;
    const error = await readTiffPixels(file, { maxBytes: 16 * 2 ** 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).code).toBe('TOO_LARGE');
    expect((error as FormatError).message).toContain(file);
    expect((error as FormatError).message).toMatch(
      /needs 64\.0 MiB of pixels for 8192×8192 uint8 \(YX\), over the 16\.0 MiB limit.*BIOIMAGEIT_MAX_PIXEL_BYTES/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
    const small = path.join(dir, 'small-bomb.tif');
    await writeFile(small, await deflateBomb(1024, 1024));
    const pixels = await readTiffPixels(small);
    expect(pixels.shape).toEqual([1024, 1024]);
    expect(pixels.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a page declaring more pixels than its strips can hold, before allocating them', async () => {
    const lying = path.join(dir, 'lying.tif');
    await writeFile(lying, stripTiff([{ width: 4096, height: 4096, bitsPerSample: 16, strips: [new Uint8Array(256)] }]));
    const before = process.memoryUsage().arrayBuffers;
    await expect(readTiffPixels(lying)).rejects.toThrow(
      `${lying}: page 0 declares 33554432 bytes of uncompressed pixels but its 1 strip(s) or tile(s) hold 256 (truncated, or a header that lies)`,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 2 ** 20);
    const { deflateSync } = await import('node:zlib');
    const deflated = path.join(dir, 'lying-deflate.tif');
    await writeFile(deflated, stripTiff([{ width: 8192, height: 8192, compression: 8, strips: [deflateSync(new Uint8Array(100))] }]));
    await expect(readTiffPixels(deflated)).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining('more than its') });
  });

  it('takes its default limit from BIOIMAGEIT_MAX_PIXEL_BYTES, refusing a value that is no size', () => {
    expect(defaultMaxPixelBytes({})).toBe(4 * 2 ** 30);
    expect(defaultMaxPixelBytes({ BIOIMAGEIT_MAX_PIXEL_BYTES: '512M' })).toBe(512 * 2 ** 20);
    expect(defaultMaxPixelBytes({ BIOIMAGEIT_MAX_PIXEL_BYTES: '1048576' })).toBe(2 ** 20);
    expect(() => defaultMaxPixelBytes({ BIOIMAGEIT_MAX_PIXEL_BYTES: 'lots' })).toThrow(ConfigError);
    expect(() => defaultMaxPixelBytes({ BIOIMAGEIT_MAX_PIXEL_BYTES: '-5' })).toThrow(/BIOIMAGEIT_MAX_PIXEL_BYTES='-5' is not a size/);
    expect(parseByteSize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('0')).toBeUndefined();
  });

  it('projects the maximum over Z one plane at a time, within a limit smaller than the stack', async () => {
    const file = await hyperstack();
    const codec = new TiffCodec();
    const planeBytes = 5 * 7 * 2;
    const max = await readPlane(codec, file, { t: 1, c: 1, z: 'max' }, planeBytes);
    expect(max.axes).toBe('YX');
    expect(max.data[0]).toBe((1 * 3 + 1) * 4 * 35 + 3 * 35);
    await expect(codec.readPixels(file, { select: { T: 1, C: 1 }, maxBytes: planeBytes })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    const one = await readPlane(codec, file, { t: 0, c: 2, z: 1 }, planeBytes);
    expect(one.data[0]).toBe((2 * 4 + 1) * 35);
  });
});

describe('metadata of files larger than memory', () => {
  it('reads the header and directories of a sparse 3 GiB TIFF without reading its body', async () => {
    const file = path.join(dir, 'huge.tif');
    await writeFile(file, encodeTiff({ data: new Uint8Array(12), shape: [3, 4], dtype: 'uint8', axes: 'YX' }));
    const handle = await open(file, 'r+');
    await handle.truncate(3 * 2 ** 30);
    await handle.close();
    const before = process.memoryUsage().rss;
    const { metadata } = readTiffFileLayout(file);
    expect(metadata).toMatchObject({ shape: [3, 4], axes: 'YX', dtype: 'uint8' });
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 2 ** 20);
  });

  it('says a 2 GiB file of zeros named .tif is not a TIFF, naming it', async () => {
    const file = path.join(dir, 'zeros.tif');
    const handle = await open(file, 'w');
    await handle.truncate(2 * 2 ** 30);
    await handle.close();
    expect(() => readTiffFileLayout(file)).toThrow(`${file}: not a TIFF file: bad byte-order mark 0x0000`);
    await expect(new TiffCodec().readFileMetadata(file)).rejects.toMatchObject({ code: 'CORRUPT' });
  });

  it('reads values straddling its 16 KiB pages as a DataView does', async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 131 + 7) % 256);
    const file = path.join(dir, 'pages.bin');
    await writeFile(file, bytes);
    const view = new FileByteView(file);
    const memory = memoryByteView(bytes);
    try {
      for (const at of [0, 16_381, 16_383, 16_384, 32_765, 39_992]) {
        expect(view.getUint32(at, true)).toBe(memory.getUint32(at, true));
        expect(view.getFloat64(at, false)).toBe(memory.getFloat64(at, false));
        expect(view.getBigUint64(at, true)).toBe(memory.getBigUint64(at, true));
        expect(view.getUint16(at + 1, false)).toBe(memory.getUint16(at + 1, false));
      }
      expect(Array.from(view.bytes(16_000, 1000))).toEqual(Array.from(bytes.subarray(16_000, 17_000)));
      expect(() => view.getUint32(39_998, true)).toThrow(RangeError);
    } finally {
      view.close();
    }
  });

  it('builds a readable multi-strip deflate TIFF with its test generator', async () => {
    const file = path.join(dir, 'strips.tif');
    const { deflateSync } = await import('node:zlib');
    const rows = [0, 1].map((r) => deflateSync(new Uint8Array(8 * 2).fill(r + 1)));
    await writeFile(file, stripTiff([{ width: 8, height: 4, compression: 8, rowsPerStrip: 2, strips: rows }]));
    const pixels = await readTiffPixels(file);
    expect(Array.from(pixels.data)).toEqual([...new Array(16).fill(1), ...new Array(16).fill(2)]);
  });
});

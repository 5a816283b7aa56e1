import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors/area-errors.js';
import { readTiffMetadata } from './tiff-metadata.js';
import { decodeTiffPixels } from './tiff-pixels.js';
import { encodeTiff } from './tiff-writer.js';

interface HandPage {
  width: number;
  height: number;
  bits: number;
  sampleFormat: number;
  /** Pixel bytes already in the file's byte order. */
  pixels: Uint8Array;
  description?: string;
  compression?: number;
}

/**
 * Builds a TIFF byte by byte, independently of the writer under test: header, pixel data, then
 * one IFD per page with out-of-line values right after it.
 */
function handTiff(littleEndian: boolean, bigtiff: boolean, pages: HandPage[]): Uint8Array {
  const out = new Uint8Array(64 * 1024);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (v: number): void => (view.setUint16(at, v, littleEndian), void (at += 2));
  const u32 = (v: number): void => (view.setUint32(at, v, littleEndian), void (at += 4));
  const off = (v: number): void => {
    if (!bigtiff) return u32(v);
    view.setBigUint64(at, BigInt(v), littleEndian);
    at += 8;
  };
  out.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  at = 2;
  u16(bigtiff ? 43 : 42);
  if (bigtiff) {
    u16(8);
    u16(0);
  }
  const firstIfdField = at;
  off(0);
  const dataAt = pages.map((p) => {
    const start = at;
    out.set(p.pixels, at);
    at += p.pixels.length + (p.pixels.length % 2);
    return start;
  });
  let previousNext = firstIfdField;
  pages.forEach((p, i) => {
    const ifd = at;
    const save = at;
    at = previousNext;
    off(ifd);
    at = save;
    const desc = p.description === undefined ? undefined : new TextEncoder().encode(p.description + '\0');
    const entries: Array<[number, number, number]> = [
      [256, 4, p.width],
      [257, 4, p.height],
      [258, 3, p.bits],
      [259, 3, p.compression ?? 1],
      [262, 3, 1],
      ...(desc ? [[270, 2, -1] as [number, number, number]] : []),
      [273, 4, dataAt[i]!],
      [277, 3, 1],
      [278, 4, p.height],
      [279, 4, p.pixels.length],
      [339, 3, p.sampleFormat],
    ];
    if (bigtiff) off(entries.length);
    else u16(entries.length);
    const extraAt = at + entries.length * (bigtiff ? 20 : 12) + (bigtiff ? 8 : 4);
    for (const [tag, type, value] of entries) {
      u16(tag);
      u16(type);
      if (tag === 270) {
        off(desc!.length);
        if (desc!.length <= (bigtiff ? 8 : 4)) throw new Error('test description too short');
        off(extraAt);
        continue;
      }
      off(1);
      const field = at;
      if (type === 3) u16(value);
      else u32(value);
      at = field + (bigtiff ? 8 : 4);
    }
    previousNext = at;
    off(0);
    if (desc) {
      out.set(desc, at);
      at += desc.length;
    }
  });
  return out.slice(0, at);
}

function bigEndian16(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setUint16(i * 2, v, false));
  return bytes;
}

function expectCorrupt(bytes: Uint8Array, path: string, fragment: RegExp): void {
  let caught: unknown;
  try {
    readTiffMetadata(bytes, path);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FormatError);
  expect((caught as FormatError).code).toBe('CORRUPT');
  expect((caught as FormatError).message).toContain(path);
  expect((caught as FormatError).message).toMatch(fragment);
  expect((caught as FormatError).details['path']).toBe(path);
}

describe('readTiffMetadata on hand-built files', () => {
  for (const bigtiff of [false, true]) {
    it(`reads a big-endian ${bigtiff ? 'BigTIFF' : 'classic TIFF'} (metadata here, pixels through geotiff)`, async () => {
      const planes = [
        [1, 2, 3, 4, 5, 6],
        [700, 800, 900, 1000, 1100, 65535],
      ];
      const bytes = handTiff(
        false,
        bigtiff,
        planes.map((p) => ({ width: 3, height: 2, bits: 16, sampleFormat: 1, pixels: bigEndian16(p) })),
      );
      expect(Array.from(bytes.subarray(0, 4))).toEqual(bigtiff ? [0x4d, 0x4d, 0, 43] : [0x4d, 0x4d, 0, 42]);
      expect(readTiffMetadata(bytes, 'be.tif')).toEqual({ shape: [2, 2, 3], dtype: 'uint16', axes: 'ZYX', ome: false, imagej: false, bigtiff, pages: 2 });
      const px = await decodeTiffPixels(bytes, 'be.tif');
      expect(Array.from(px.data)).toEqual(planes.flat());
    });
  }

  it('reads an OME description from a big-endian file and skips pages of another size', () => {
    const xml =
      '<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels DimensionOrder="XYZCT" Type="int16" SizeX="2" SizeY="1" SizeZ="1" SizeC="2" SizeT="1" PhysicalSizeX="0.5" PhysicalSizeXUnit="nm"/></Image></OME>';
    const page = { width: 2, height: 1, bits: 16, sampleFormat: 2, pixels: bigEndian16([1, 2]) };
    const bytes = handTiff(false, false, [{ ...page, description: xml }, page]);
    expect(readTiffMetadata(bytes, 'be.ome.tif')).toMatchObject({
      shape: [2, 1, 2],
      axes: 'CYX',
      dtype: 'int16',
      ome: true,
      physicalSize: { x: { value: 0.5, unit: 'nm' } },
    });
    const thumb = { width: 1, height: 1, bits: 16, sampleFormat: 2, pixels: bigEndian16([9]) };
    expect(readTiffMetadata(handTiff(true, false, [page, thumb, page]), 'mixed.tif')).toMatchObject({ shape: [2, 1, 2], axes: 'ZYX', pages: 3 });
  });

  it('says UNSUPPORTED for pixel types, compressions or plane counts it cannot read', async () => {
    const bits1 = handTiff(true, false, [{ width: 8, height: 2, bits: 1, sampleFormat: 1, pixels: Uint8Array.of(255, 0) }]);
    expect(readTiffMetadata(bits1, 'bilevel.tif')).toMatchObject({ dtype: 'uint1', shape: [2, 8] });
    await expect(decodeTiffPixels(bits1, 'bilevel.tif')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('bilevel.tif: pixel type uint1'),
    });
    const odd = handTiff(true, false, [{ width: 2, height: 1, bits: 8, sampleFormat: 1, pixels: Uint8Array.of(1, 2), compression: 60_000 }]);
    await expect(decodeTiffPixels(odd, 'odd.tif')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('odd.tif') });
    const xml = '<OME><Image><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="2" SizeY="1" SizeZ="5" SizeC="1" SizeT="1"/></Image></OME>';
    const partial = handTiff(true, false, [{ width: 2, height: 1, bits: 8, sampleFormat: 1, pixels: Uint8Array.of(1, 2), description: xml }]);
    expect(readTiffMetadata(partial, 'part.ome.tif')).toMatchObject({ shape: [5, 1, 2], axes: 'ZYX', pages: 1 });
    await expect(decodeTiffPixels(partial, 'part.ome.tif')).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringMatching(/5 planes .* 1 pages/),
    });
  });

  describe('a description declaring more planes than the file could hold', () => {
    const pixels = Uint8Array.from({ length: 256 }, (_, i) => i);
    const lies: Array<[string, string]> = [
      ['ImageJ', 'ImageJ=1.54f\nimages=1000000000\nslices=1000000000\nunit=micron\n'],
      ['OME-XML', '<OME><Image><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="16" SizeY="16" SizeZ="1000000000" SizeC="1" SizeT="1"/></Image></OME>'],
    ];
    for (const [kind, description] of lies) {
      it(`reads a 16x16 ${kind} file as its one page, with a warning, in little memory`, async () => {
        const bytes = handTiff(true, false, [{ width: 16, height: 16, bits: 8, sampleFormat: 1, pixels, description }]);
        expect(bytes.length).toBeLessThan(1024);
        const before = process.memoryUsage().heapUsed;
        const meta = readTiffMetadata(bytes, '/data/liar.tif');
        const px = await decodeTiffPixels(bytes, '/data/liar.tif');
        expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
        expect(meta).toMatchObject({ shape: [16, 16], axes: 'YX', dtype: 'uint8', ome: false, imagej: false, pages: 1 });
        expect(meta.warnings).toEqual([expect.stringMatching(new RegExp(`${kind} description declares 1000000000 planes.*1 pages`))]);
        expect(px.shape).toEqual([16, 16]);
        expect(Array.from(px.data)).toEqual(Array.from(pixels));
      });
    }
  });

  const fixture = fileURLToPath(new URL('../../../tests/fixtures/v1/exp100/data/population1_001.tif', import.meta.url));
  it('reads the v1 fixture written by tifffile', async () => {
    const path = fixture;
    const bytes = await readFile(path);
    expect(readTiffMetadata(bytes, path)).toEqual({ shape: [32, 32], dtype: 'uint8', axes: 'YX', ome: false, imagej: false, bigtiff: false, pages: 1 });
    const px = await decodeTiffPixels(bytes, path);
    expect(px.data.length).toBe(1024);
    expect(Array.from(px.data.subarray(0, 4))).toEqual([0x98, 0x8b, 0x52, 0xc4]);
  });
});

describe('corrupt TIFF files give FormatError CORRUPT naming the path', () => {
  const good = encodeTiff({ data: new Uint16Array(3 * 4 * 5).fill(7), shape: [3, 4, 5], dtype: 'uint16', axes: 'ZYX' });

  it('rejects empty, short and garbage files', () => {
    expectCorrupt(new Uint8Array(0), '/data/empty.tif', /too short/);
    expectCorrupt(good.subarray(0, 5), '/data/short.tif', /too short/);
    expectCorrupt(new TextEncoder().encode('hello, this is not a TIFF at all'), '/data/garbage.tif', /byte-order/);
    expectCorrupt(Uint8Array.from([0x49, 0x49, 41, 0, 8, 0, 0, 0]), '/data/magic.tif', /magic number 41/);
    expectCorrupt(Uint8Array.from([0x49, 0x49, 43, 0, 4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]), '/data/big.tif', /offset byte size/);
  });

  it('rejects a file truncated anywhere after the header', () => {
    for (let cut = 8; cut < good.length; cut += 3) expectCorrupt(good.subarray(0, cut), `/data/cut-${cut}.tif`, /beyond|past the end|truncated/);
  });

  it('rejects an IFD offset beyond the end, into the header, or looping', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(4, 1_000_000, true);
    expectCorrupt(bad, '/data/offset.tif', /IFD 0 offset 1000000 is beyond the end/);
    new DataView(bad.buffer).setUint32(4, 2, true);
    expectCorrupt(bad, '/data/header.tif', /points into the header/);
    const loop = handTiff(true, false, [{ width: 1, height: 1, bits: 8, sampleFormat: 1, pixels: Uint8Array.of(1) }]);
    const view = new DataView(loop.buffer);
    const ifd = view.getUint32(4, true);
    view.setUint32(ifd + 2 + view.getUint16(ifd, true) * 12, ifd, true);
    expectCorrupt(loop, '/data/loop.tif', /loops back/);
  });

  it('rejects zero dimensions and an IFD without entries', () => {
    const zero = handTiff(true, false, [{ width: 0, height: 4, bits: 8, sampleFormat: 1, pixels: Uint8Array.of(1) }]);
    expectCorrupt(zero, '/data/zero.tif', /zero or missing dimensions/);
    const empty = Uint8Array.from([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expectCorrupt(empty, '/data/noentries.tif', /no entries/);
  });

  it('rejects in readPixels too, before geotiff sees the bytes', async () => {
    await expect(decodeTiffPixels(good.subarray(0, good.length - 10), '/data/t.tif')).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringContaining('/data/t.tif'),
    });
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianPython, skipWithout } from '../testing/system-part.js';
import { builtinFormatCodecs } from './builtin-format-codecs.js';
import { codecForPath } from './codec-for-path.js';
import { JpegCodec, readJpegHeader } from './jpeg-codec.js';
import { PngCodec, readPngHeader } from './png-codec.js';

const { python, why } = debianPython(['PIL', 'numpy']);
const skip = skipWithout('python', why, import.meta.url);

/** Writes PNG and JPEG files with Pillow (an independent writer) and prints the sum and shape of each. */
const WRITE = `
import json, sys, numpy as np
from PIL import Image
d = sys.argv[1]
out = {}
g8 = (np.add.outer(np.arange(24) * 9, np.arange(40) * 5) % 256).astype('uint8')
g16 = (np.add.outer(np.arange(24) * 900, np.arange(40) * 50) % 65536).astype('uint16')
rgb = np.stack([g8, 255 - g8, (g8 // 2)], axis=-1)
rgba = np.concatenate([rgb, np.full((24, 40, 1), 200, 'uint8')], axis=-1)
Image.fromarray(g8).save(d + '/grey8.png', dpi=(25400, 25400))
Image.fromarray(g16).save(d + '/grey16.png')
Image.fromarray(rgb).save(d + '/rgb.png')
Image.fromarray(rgba).save(d + '/rgba.png')
Image.fromarray(rgb).convert('P', palette=Image.ADAPTIVE, colors=16).save(d + '/palette.png')
Image.fromarray((g8 > 128)).save(d + '/bits1.png')
smooth = np.add.outer(np.arange(24) * 4, np.arange(40) * 2).astype('uint8')
Image.fromarray(smooth).save(d + '/grey.jpg', quality=95)
Image.fromarray(np.stack([smooth, 255 - smooth, smooth // 2], axis=-1)).save(d + '/rgb.jpg', quality=95)
for name in ['grey8.png', 'grey16.png', 'rgb.png', 'rgba.png', 'palette.png', 'bits1.png', 'grey.jpg', 'rgb.jpg']:
    a = np.asarray(Image.open(d + '/' + name).convert('RGB') if name == 'palette.png' else Image.open(d + '/' + name))
    out[name] = {'shape': list(a.shape), 'sum': float(a.astype('float64').sum()), 'values': a.astype('float64').ravel().tolist()}
print(json.dumps(out))
`;

describe('PNG and JPEG codecs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'png-jpeg-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('are built in, chosen by extension', () => {
    const codecs = builtinFormatCodecs();
    expect(codecs.map((c) => c.id)).toEqual(['imagetiff', 'imagepng', 'imagejpeg', 'tablecsv']);
    expect(codecForPath(codecs, 'a/B.PNG')?.id).toBe('imagepng');
    expect(codecForPath(codecs, 'x.jpeg')?.id).toBe('imagejpeg');
    expect(codecForPath(codecs, 'x.jpg')?.id).toBe('imagejpeg');
  });

  it.skipIf(skip)("read what Pillow writes: the same shapes and pixels (JPEG within its loss), PNG's pixel size from pHYs", async () => {
    const expected = JSON.parse(execFileSync(python!, ['-c', WRITE, dir], { encoding: 'utf8' })) as Record<string, { shape: number[]; values: number[] }>;
    const png = new PngCodec();
    const jpeg = new JpegCodec();
    for (const name of ['grey8.png', 'grey16.png', 'rgb.png', 'rgba.png', 'palette.png', 'bits1.png']) {
      const path = join(dir, name);
      const pixels = await png.readPixels(path);
      expect(pixels.shape, name).toEqual(expected[name]!.shape);
      expect(Array.from(pixels.data), name).toEqual(expected[name]!.values);
      const meta = await png.readMetadata(await readFile(path), path);
      expect([meta.shape, meta.axes], name).toEqual([pixels.shape, pixels.axes]);
      expect(await png.readFileMetadata(path)).toEqual(meta);
    }
    expect((await png.readFileMetadata(join(dir, 'grey16.png'))).dtype).toBe('uint16');
    expect((await png.readFileMetadata(join(dir, 'grey8.png'))).physicalSize).toEqual({ x: { value: 1, unit: 'µm' }, y: { value: 1, unit: 'µm' } });
    for (const name of ['grey.jpg', 'rgb.jpg']) {
      const path = join(dir, name);
      const pixels = await jpeg.readPixels(path);
      expect(pixels.shape, name).toEqual(expected[name]!.shape);
      const want = expected[name]!.values;
      // another decoder: libjpeg upsamples chroma smoothly, jpeg-js by replication (both allowed by the standard)
      const errors = Array.from(pixels.data, (v, i) => Math.abs(v - want[i]!));
      expect(errors.reduce((a, b) => a + b, 0) / errors.length, name).toBeLessThanOrEqual(2.5);
      expect(Math.max(...errors), name).toBeLessThanOrEqual(12);
      expect(await jpeg.readFileMetadata(path)).toMatchObject({ shape: pixels.shape, axes: pixels.axes, dtype: 'uint8' });
    }
  });

  it('write PNG (8/16-bit, 1–4 samples) and JPEG that read back, atomically, refusing what they cannot hold', async () => {
    const png = new PngCodec();
    const jpeg = new JpegCodec();
    const u16 = { data: new Uint16Array(6 * 5).map((_, i) => i * 2000), shape: [6, 5], dtype: 'uint16' as const, axes: 'YX' };
    await png.writePixels(join(dir, 'w16.png'), u16);
    expect(Array.from((await png.readPixels(join(dir, 'w16.png'))).data)).toEqual(Array.from(u16.data));
    const rgba = { data: new Uint8Array(4 * 3 * 4).map((_, i) => i * 5), shape: [4, 3, 4], dtype: 'uint8' as const, axes: 'YXS' };
    await png.writePixels(join(dir, 'w-rgba.png'), rgba);
    expect(await png.readPixels(join(dir, 'w-rgba.png'))).toMatchObject({ shape: [4, 3, 4], axes: 'YXS', dtype: 'uint8' });
    const colour = { data: new Uint8Array(16 * 16 * 3).map((_, i) => [120, 30, 200][i % 3]!), shape: [16, 16, 3], dtype: 'uint8' as const, axes: 'YXS' };
    await jpeg.writePixels(join(dir, 'w.jpg'), colour);
    const back = await jpeg.readPixels(join(dir, 'w.jpg'));
    expect(back.shape).toEqual([16, 16, 3]);
    expect(Math.max(...Array.from(back.data, (v, i) => Math.abs(v - colour.data[i]!)))).toBeLessThanOrEqual(3);
    const grey = { data: new Uint8Array(16 * 16).fill(120), shape: [16, 16], dtype: 'uint8' as const, axes: 'YX' };
    await expect(jpeg.writePixels(join(dir, 'g.jpg'), grey)).rejects.toThrow(/write grey images as PNG or TIFF/);
    await expect(png.writePixels(join(dir, 'f.png'), { ...u16, dtype: 'float32', data: new Float32Array(30) })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(jpeg.writePixels(join(dir, 'z.jpg'), { ...grey, shape: [2, 8, 16], axes: 'ZYX' })).rejects.toThrow(/JPEG is written from one RGB plane/);
  });

  it('refuse broken and oversized files by their headers, naming them, before decoding', async () => {
    expect(() => readPngHeader(new Uint8Array(40), '/x/a.png')).toThrow('/x/a.png: not a PNG file');
    expect(() => readJpegHeader(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), '/x/a.jpg')).toThrow('/x/a.jpg: no JPEG frame header');
    const png = new PngCodec();
    const huge = join(dir, 'huge.png');
    const header = Buffer.from(await readFile(join(dir, 'w16.png')));
    header.writeUInt32BE(60000, 16);
    header.writeUInt32BE(60000, 20);
    await writeFile(huge, header);
    await expect(png.readPixels(huge, { maxBytes: 2 ** 30 })).rejects.toMatchObject({ code: 'TOO_LARGE', message: expect.stringContaining(huge) });
    await expect(png.readPixels(join(dir, 'w16.png'), { select: { Z: 1 } })).rejects.toThrow('Z=1 is outside the image (Z has 1 plane: 0..0)');
    const jpeg = new JpegCodec();
    const sof = Buffer.from(await readFile(join(dir, 'w.jpg')));
    const at = sof.indexOf(Buffer.from([0xff, 0xc0]));
    sof.writeUInt16BE(50000, at + 5);
    sof.writeUInt16BE(50000, at + 7);
    await writeFile(join(dir, 'huge.jpg'), sof);
    await expect(jpeg.readPixels(join(dir, 'huge.jpg'), { maxBytes: 2 ** 30 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TiffCodec } from '../formats/tiff-codec.js';
import { writeTiff } from '../formats/tiff-writer.js';
import { defaultChannelColor, defaultChannelDisplays } from './channel-display.js';
import { compositeRgba } from './composite.js';
import { WindowSampler } from './display-window.js';
import { encodePng } from './png-encode.js';
import { renderImage, stackWindows } from './render-image.js';
import { fitSize, resamplePlane } from './resample.js';

const codec = new TiffCodec();
const MB = 64 * 2 ** 20;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'biit-render-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** RGB of pixel (x, y) of an RGBA image. */
const rgbAt = (image: { width: number; rgba: Uint8ClampedArray }, x: number, y: number) => {
  const o = (y * image.width + x) * 4;
  return [image.rgba[o], image.rgba[o + 1], image.rgba[o + 2]];
};
/** RGB of pixel (x, y), each component rounded to a multiple of 8 (the background noise adds a few levels). */
const coarseAt = (image: { width: number; rgba: Uint8ClampedArray }, x: number, y: number) => rgbAt(image, x, y).map((v) => Math.round(v! / 8) * 8);

describe('resamplePlane', () => {
  it('reduces by area means, counting pixels cut by a footprint by the fraction covered', () => {
    const values = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(resamplePlane(values, 4, 4, 1, { x: 0, y: 0, width: 4, height: 4 }, 2, 2).values)).toEqual([2.5, 4.5, 10.5, 12.5]);
    // 3 → 2 columns: [a, b/2] / 1.5 and [b/2, c] / 1.5; the mean of the row is kept
    const row = resamplePlane(Float32Array.of(3, 6, 9), 3, 1, 1, { x: 0, y: 0, width: 3, height: 1 }, 2, 1).values;
    expect(row[0]).toBeCloseTo((3 + 3) / 1.5);
    expect(row[1]).toBeCloseTo((3 + 9) / 1.5);
  });

  it('enlarges a region with the nearest pixel (crisp pixels when zoomed in)', () => {
    const values = Float32Array.from({ length: 16 }, (_, i) => i);
    const zoomed = resamplePlane(values, 4, 4, 1, { x: 1, y: 2, width: 2, height: 1 }, 4, 2);
    expect(Array.from(zoomed.values)).toEqual([9, 9, 10, 10, 9, 9, 10, 10]);
  });

  it('refuses a region outside the plane, naming it', () => {
    expect(() => resamplePlane(new Float32Array(16), 4, 4, 1, { x: 3, y: 0, width: 2, height: 1 }, 1, 1)).toThrow('region 3,0,2,1 is outside the image (4×4)');
    expect(fitSize(300, 100, 128)).toEqual({ width: 128, height: 43 });
  });
});

describe('compositeRgba and channel colours', () => {
  const plane = (v: number[]) => ({ width: 2, height: 1, samples: 1, values: Float32Array.from(v) });
  it('adds windowed channels in their colours, saturating, and leaves inactive channels out', () => {
    const displays = [
      { color: '#0000ff', active: true, start: 0, end: 100 },
      { color: '#ff00ff', active: true, start: 0, end: 10 },
    ];
    const image = compositeRgba([plane([50, 100]), plane([0, 10])], displays);
    expect(rgbAt(image, 0, 0)).toEqual([0, 0, 128]);
    expect(rgbAt(image, 1, 0)).toEqual([255, 0, 255]);
    const off = compositeRgba([plane([50, 100]), plane([0, 10])], [displays[0]!, { ...displays[1]!, active: false }]);
    expect(rgbAt(off, 1, 0)).toEqual([0, 0, 255]);
  });

  it('gives a channel its own colour, else grey alone, else by wavelength as OMERO, else the standard order', () => {
    expect(defaultChannelColor(0, 3, { color: '#00FF00' })).toBe('#00ff00');
    expect(defaultChannelColor(0, 1, {})).toBe('#ffffff');
    expect(defaultChannelColor(0, 3, { emission: { value: 461, unit: 'nm' } })).toBe('#0000ff');
    expect(defaultChannelColor(1, 3, { excitation: { value: 0.53, unit: 'µm' } })).toBe('#00ff00');
    expect(defaultChannelColor(2, 3, { emission: { value: 670, unit: 'nm' } })).toBe('#ff0000');
    expect([0, 1, 2].map((c) => defaultChannelColor(c, 3))).toEqual(['#ff0000', '#00ff00', '#0000ff']);
  });
});

describe('WindowSampler', () => {
  it('takes percentiles of all planes added, ignoring NaN, and widens a constant image', () => {
    const sampler = new WindowSampler();
    sampler.add(Float32Array.from({ length: 1000 }, (_, i) => i));
    sampler.add(Float32Array.of(NaN, Infinity, 5000));
    const w = sampler.window(0, 1);
    expect(w).toEqual({ start: 0, end: 5000, min: 0, max: 5000 });
    const flat = new WindowSampler();
    flat.add(new Uint16Array(10).fill(7));
    expect(flat.window()).toEqual({ start: 7, end: 8, min: 7, max: 7 });
  });
});

describe('encodePng', () => {
  it('writes PNG that an independent decoder (fast-png) reads back pixel for pixel, RGB when opaque and RGBA otherwise', () => {
    const width = 37;
    const height = 11;
    const rgba = new Uint8ClampedArray(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) % 256));
    const png = decode(encodePng({ width, height, rgba }));
    expect([png.width, png.height, png.channels, png.depth]).toEqual([width, height, 3, 8]);
    expect(Array.from(png.data as Uint8Array)).toEqual(Array.from(rgba).filter((_, i) => i % 4 !== 3));
    rgba[3] = 10;
    const translucent = decode(encodePng({ width, height, rgba }));
    expect(translucent.channels).toBe(4);
    expect(Array.from(translucent.data as Uint8Array)).toEqual(Array.from(rgba));
  });
});

describe('renderImage and stackWindows on a 3-channel ZCYX OME-TIFF', () => {
  // channel c lights a 10×10 square at a known spot on z-plane 2 only; the others hold low noise
  const depth = 4;
  const [h, w] = [48, 60];
  const spots = [
    [5, 5],
    [30, 5],
    [5, 30],
  ] as const;
  let path: string;
  beforeAll(async () => {
    const data = new Uint16Array(depth * 3 * h * w);
    for (let z = 0; z < depth; z++)
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const [sx, sy] = spots[c]!;
            const inSpot = z === 2 && x >= sx && x < sx + 10 && y >= sy && y < sy + 10;
            data[((z * 3 + c) * h + y) * w + x] = inSpot ? 4000 : (x * 7 + y * 13 + c) % 50;
          }
    path = join(dir, 'spots.ome.tif');
    await writeTiff(
      path,
      { data, shape: [depth, 3, h, w], axes: 'ZCYX', dtype: 'uint16' },
      {
        ome: true,
        channels: [
          { name: 'DAPI', color: '#0000ff' },
          { name: 'GFP', color: '#00ff00' },
          { name: 'Cy5', color: '#ff00ff' },
        ],
      },
    );
  });

  it('draws each channel in its colour at its spot, and a channel toggled off leaves its spot black', async () => {
    const windows = await stackWindows(codec, path, { maxBytes: MB, percentiles: [0.1, 99.9] });
    expect(windows.map((x) => x.max)).toEqual([4000, 4000, 4000]);
    const displays = defaultChannelDisplays(windows, [{ color: '#0000ff' }, { color: '#00ff00' }, { color: '#ff00ff' }]);
    const image = await renderImage(codec, path, { z: 2, channels: displays, size: w, maxBytes: MB });
    expect([image.width, image.height]).toEqual([w, h]);
    expect(coarseAt(image, 9, 9)).toEqual([0, 0, 256]);
    expect(coarseAt(image, 34, 9)).toEqual([0, 256, 0]);
    expect(coarseAt(image, 9, 34)).toEqual([256, 0, 256]);
    const noGreen = await renderImage(codec, path, { z: 2, channels: displays.map((d, c) => ({ ...d, active: c !== 1 })), size: w, maxBytes: MB });
    expect(coarseAt(noGreen, 34, 9)).toEqual([0, 0, 0]);
    expect(coarseAt(noGreen, 9, 9)).toEqual([0, 0, 256]);
  });

  it('keeps the stack window on a plane of noise (dark), where a window of the plane alone stretches the noise', async () => {
    const windows = await stackWindows(codec, path, { maxBytes: MB });
    const displays = defaultChannelDisplays(windows);
    const fixed = await renderImage(codec, path, { z: 0, channels: displays, size: w, maxBytes: MB });
    const perPlane = await renderImage(codec, path, { z: 0, size: w, maxBytes: MB });
    const brightest = (image: { rgba: Uint8ClampedArray }) => Math.max(...image.rgba.filter((_, i) => i % 4 !== 3));
    expect(brightest(fixed)).toBeLessThan(60);
    expect(brightest(perPlane)).toBe(255);
  });

  it('draws the maximum projection, a region enlarged at full resolution, and refuses a channel the image lacks', async () => {
    const mip = await renderImage(codec, path, { z: 'max', size: 30, maxBytes: MB });
    expect([mip.width, mip.height]).toEqual([30, 24]);
    const zoom = await renderImage(codec, path, {
      z: 2,
      channels: [{ color: '#0000ff', active: true, start: 0, end: 4000 }],
      region: { x: 4, y: 4, width: 4, height: 4 },
      size: 16,
      maxBytes: MB,
    });
    expect([zoom.width, zoom.height]).toEqual([16, 16]);
    expect(coarseAt(zoom, 0, 0)).toEqual([0, 0, 0]); // pixel (4, 4): outside the spot
    expect(coarseAt(zoom, 4, 4)).toEqual([0, 0, 256]); // pixel (5, 5): its first pixel
    await expect(
      renderImage(codec, path, {
        z: 0,
        channels: [{ color: '#fff', active: false, start: 0, end: 1 }, ...Array(3).fill({ color: '#ffffff', active: true, start: 0, end: 1 })],
        size: 8,
        maxBytes: MB,
      }),
    ).rejects.toThrow(/C=3/);
  });
});

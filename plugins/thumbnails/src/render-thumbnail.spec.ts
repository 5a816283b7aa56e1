import { createCanvas, loadImage } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import type { PixelArray } from '@bioimageit/core';
import { loadNapiCanvas, probePngEncoder } from './png-encoder.js';
import { renderThumbnail, thumbnailImage } from './render-thumbnail.js';
import { pngSize } from './test-support/fake-store.js';

const options = { maxSize: 256, percentiles: [0.1, 99.9] as const };

/** RGBA pixels of a PNG, decoded by @napi-rs/canvas. */
async function decode(png: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  const image = await loadImage(Buffer.from(png));
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, rgba: context.getImageData(0, 0, image.width, image.height).data };
}

describe('renderThumbnail', () => {
  it('draws the stretched maximum projection of a uint16 Z stack as a PNG that decodes back', async () => {
    // Z=2 planes of 4×3: plane 1 holds a bright pixel at (x=2, y=1); the rest is a ramp.
    const [z, h, w] = [2, 3, 4];
    const data = new Uint16Array(z * h * w);
    for (let i = 0; i < h * w; i++) data[i] = 1000 + i * 10;
    data[h * w + 1 * w + 2] = 50_000;
    const pixels: PixelArray = { data, shape: [z, h, w], axes: 'ZYX', dtype: 'uint16' };
    const png = await renderThumbnail(pixels, await loadNapiCanvas(), options);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(pngSize(png)).toEqual({ width: 4, height: 3 });
    const decoded = await decode(png);
    expect([decoded.width, decoded.height]).toEqual([4, 3]);
    // The projection is the ramp with 50,000 at (2, 1); numpy-style percentiles of its 12 values:
    const mip = Array.from({ length: h * w }, (_, i) => (i === 6 ? 50_000 : 1000 + i * 10));
    const sorted = [...mip].sort((p, q) => p - q);
    const at = (p: number) => sorted[Math.floor(p)]! + (p - Math.floor(p)) * (sorted[Math.floor(p) + 1]! - sorted[Math.floor(p)]!);
    const [low, high] = [at(0.001 * 11), at(0.999 * 11)];
    const expected = mip.map((v) => Math.min(255, Math.max(0, Math.round(((v - low) / (high - low)) * 255))));
    expect(Array.from({ length: h * w }, (_, i) => decoded.rgba[i * 4])).toEqual(expected);
    expect(expected[6]).toBe(255);
    expect(Array.from({ length: h * w }, (_, i) => [decoded.rgba[i * 4 + 1], decoded.rgba[i * 4 + 2], decoded.rgba[i * 4 + 3]])).toEqual(
      expected.map((g) => [g, g, 255]),
    );
  });

  it('shrinks a large image to 256 px on its long side, keeping its aspect', async () => {
    const [h, w] = [300, 1200];
    const data = new Uint8Array(h * w).map((_, i) => (i % w) % 256);
    const png = await renderThumbnail({ data, shape: [h, w], axes: 'YX', dtype: 'uint8' }, await loadNapiCanvas(), options);
    expect(pngSize(png)).toEqual({ width: 256, height: 64 });
    expect((await decode(png)).width).toBe(256);
  });

  it('renders RGB samples in colour', () => {
    const data = Uint8Array.from([255, 0, 0, 0, 0, 255]);
    const image = thumbnailImage({ data, shape: [1, 2, 3], axes: 'YXS', dtype: 'uint8' }, options);
    expect([...image.rgba]).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
  });

  it('proves the real encoder at first use', async () => {
    await expect(probePngEncoder(loadNapiCanvas)).resolves.toHaveProperty('encodePng');
  });
});

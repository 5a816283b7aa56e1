import type { PixelArray } from '@bioimageit/core';
import { boxDownsample, thumbnailSize } from './box-downsample.js';
import { displayRange, stretchToBytes } from './contrast-stretch.js';
import { maxProjection } from './max-projection.js';
import type { PngEncoder } from './png-encoder.js';

/** An 8-bit RGBA thumbnail image. */
export interface ThumbnailImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major. */
  readonly rgba: Uint8ClampedArray;
}

/** How a thumbnail is drawn. */
export interface RenderOptions {
  readonly maxSize: number;
  /** Low and high percentiles of the stretch, 0–100. */
  readonly percentiles: readonly [number, number];
}

/**
 * The thumbnail of an image: maximum projection along Z of the first time point and channel
 * ({@link maxProjection}), display range from the percentiles of the full-resolution projection,
 * box-downsampled to at most `maxSize` on the long side, stretched to 8 bits; grey images are
 * written to R, G and B alike, alpha is opaque.
 */
export function thumbnailImage(pixels: PixelArray, options: RenderOptions): ThumbnailImage {
  const projected = maxProjection(pixels);
  const range = displayRange(projected.data, options.percentiles[0], options.percentiles[1]);
  const size = thumbnailSize(projected.width, projected.height, options.maxSize);
  const small = boxDownsample(projected, size.width, size.height);
  const bytes = stretchToBytes(small.data, range);
  const rgba = new Uint8ClampedArray(size.width * size.height * 4);
  const [g, b] = small.channels === 3 ? [1, 2] : [0, 0];
  for (let i = 0, j = 0; j < rgba.length; i += small.channels, j += 4) {
    rgba[j] = bytes[i] as number;
    rgba[j + 1] = bytes[i + g] as number;
    rgba[j + 2] = bytes[i + b] as number;
    rgba[j + 3] = 255;
  }
  return { width: size.width, height: size.height, rgba };
}

/** {@link thumbnailImage} encoded as PNG. */
export async function renderThumbnail(pixels: PixelArray, encoder: PngEncoder, options: RenderOptions): Promise<Uint8Array> {
  const image = thumbnailImage(pixels, options);
  return encoder.encodePng(image.width, image.height, image.rgba);
}

import { imageGeometry, renderImage, type FormatCodec, type FormatMetadata } from '@bioimageit/core';
import type { PngEncoder } from './png-encoder.js';

/** How a thumbnail is drawn. */
export interface RenderOptions {
  /** Longest side in pixels; smaller images keep their size. */
  readonly maxSize: number;
  /** Low and high percentiles of each channel's window, 0–100. */
  readonly percentiles: readonly [number, number];
  /** Decoded bytes one plane read may take. */
  readonly maxPixelBytes: number;
}

/**
 * The thumbnail of an image file as PNG bytes, drawn by core's renderer (`renderImage`, the one
 * the server's viewer uses): the maximum projection along Z of the first time point, every channel
 * in its colour (its own, else by wavelength, else red, green, blue…; grey for one channel) through
 * a window from the `percentiles` of its projection, added; RGB images in their own colours;
 * reduced by area means to at most `maxSize` on the long side. Each channel is read one plane at a
 * time within `maxPixelBytes` (FormatError TOO_LARGE before decoding a plane over it). `metadata`
 * is what import recorded of the file (axes and shape give the channel count without reading the
 * header again; channels their colours).
 */
export async function drawThumbnail(
  codec: FormatCodec,
  path: string,
  metadata: Pick<FormatMetadata, 'shape' | 'axes' | 'channels'> | undefined,
  encoder: PngEncoder,
  options: RenderOptions,
): Promise<Uint8Array> {
  let sizeC: number | undefined;
  try {
    sizeC = metadata === undefined ? undefined : imageGeometry(metadata).sizeC;
  } catch {
    sizeC = undefined; // no usable geometry recorded: read it from the file
  }
  const image = await renderImage(codec, path, {
    t: 0,
    z: 'max',
    ...(sizeC !== undefined && { sizeC }),
    ...(metadata?.channels !== undefined && { channelMetadata: metadata.channels }),
    percentiles: options.percentiles,
    size: options.maxSize,
    noEnlarge: true,
    maxBytes: options.maxPixelBytes,
  });
  return encoder.encodePng(image.width, image.height, image.rgba);
}

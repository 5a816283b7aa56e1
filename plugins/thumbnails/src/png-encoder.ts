import { PluginError } from '@bioimageit/core';

/** Encodes RGBA pixels (row-major, 4 bytes a pixel) as a PNG file's bytes. */
export interface PngEncoder {
  encodePng(width: number, height: number, rgba: Uint8ClampedArray): Promise<Uint8Array>;
}

/** Loads a {@link PngEncoder}; called once, on the first thumbnail. */
export type PngEncoderLoader = () => Promise<PngEncoder>;

/**
 * The default encoder: @napi-rs/canvas (Skia), imported here lazily, on first use, so that a
 * machine where its native binary cannot load still runs every command that makes no thumbnail.
 */
export const loadNapiCanvas: PngEncoderLoader = async () => {
  const canvas = await import('@napi-rs/canvas');
  return {
    async encodePng(width, height, rgba) {
      const surface = canvas.createCanvas(width, height);
      surface.getContext('2d').putImageData(new canvas.ImageData(rgba, width, height), 0, 0);
      return surface.encode('png');
    },
  };
};

/**
 * Loads the encoder and proves it with a 1×1 image (a broken native binary may import but fail
 * to draw). Rejects with PluginError MISSING_REQUIREMENT naming the plugin, the cause and the fix.
 */
export async function probePngEncoder(load: PngEncoderLoader): Promise<PngEncoder> {
  try {
    const encoder = await load();
    await encoder.encodePng(1, 1, new Uint8ClampedArray(4));
    return encoder;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new PluginError(
      'MISSING_REQUIREMENT',
      `plugin 'thumbnails' (@bioimageit/thumbnails) cannot load @napi-rs/canvas (${why}); thumbnails are turned off. ` +
        `Fix: reinstall it with its prebuilt binary for ${process.platform}-${process.arch} ('npm install @napi-rs/canvas', without --omit=optional), ` +
        `or remove '@bioimageit/thumbnails' from "plugins" in bioimageit.config.json`,
      { cause, details: { plugin: 'thumbnails', package: '@bioimageit/thumbnails', dependency: '@napi-rs/canvas' } },
    );
  }
}

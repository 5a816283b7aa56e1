import { encodePng, PluginError } from '@bioimageit/core';

/** Encodes RGBA pixels (row-major, 4 bytes a pixel) as a PNG file's bytes. */
export interface PngEncoder {
  encodePng(width: number, height: number, rgba: Uint8ClampedArray): Promise<Uint8Array>;
}

/** Loads a {@link PngEncoder}; called once, on the first thumbnail. */
export type PngEncoderLoader = () => Promise<PngEncoder>;

/** The default encoder: core's `encodePng` (node:zlib, no native module), the one the server's previews use. */
export const loadCoreEncoder: PngEncoderLoader = async () => ({
  encodePng: async (width, height, rgba) => encodePng({ width, height, rgba }),
});

/**
 * Loads the encoder and proves it with a 1×1 image (an encoder given in the options may load but
 * fail to draw). Rejects with PluginError MISSING_REQUIREMENT naming the plugin, the cause and the fix.
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
      `plugin 'thumbnails' (@bioimageit/thumbnails) cannot load its PNG encoder (${why}); thumbnails are turned off. ` +
        `Fix: give a working 'loadEncoder' in the plugin's options (the default, core's encoder, needs nothing), ` +
        `or remove '@bioimageit/thumbnails' from "plugins" in bioimageit.config.json`,
      { cause, details: { plugin: 'thumbnails', package: '@bioimageit/thumbnails' } },
    );
  }
}

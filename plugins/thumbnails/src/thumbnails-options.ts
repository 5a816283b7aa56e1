import { builtinFormatCodecs, type FormatCodec } from '@bioimageit/core';
import { loadNapiCanvas, type PngEncoderLoader } from './png-encoder.js';

/**
 * Configuration of the thumbnails plugin. Bind it before the module is loaded
 * (`bind(ThumbnailsOptions).toConstantValue({ maxSize: 128 })`); every field is optional.
 */
export const ThumbnailsOptions = Symbol.for('@bioimageit/thumbnails/ThumbnailsOptions');
export interface ThumbnailsOptions {
  /** Longest side of a thumbnail in pixels (default 256); smaller images keep their size. */
  readonly maxSize?: number;
  /** Low and high percentiles of the contrast stretch (default 0.1 and 99.9). */
  readonly percentiles?: readonly [number, number];
  /** Thumbnails made at once (default 4). */
  readonly concurrency?: number;
  /**
   * The most decoded bytes one plane read may take (default 256 MiB). Thumbnails read the first
   * time point and channel one z-plane at a time; an image whose plane the file declares larger
   * (a slide scan too big to draw whole, or a decompression bomb) is left without thumbnail, with
   * a warning, before anything is decoded. The file's own size does not matter.
   */
  readonly maxPixelBytes?: number;
  /** Where warning lines go (one line each, no newline; default: standard error). */
  readonly log?: (line: string) => void;
  /** Loads the PNG encoder on first use (default: @napi-rs/canvas); tests inject a failing one. */
  readonly loadEncoder?: PngEncoderLoader;
  /** Image codecs by format id (default: core's built-in codecs that read pixels, i.e. `imagetiff`). */
  readonly codecs?: Readonly<Record<string, FormatCodec>>;
}

/** {@link ThumbnailsOptions} with every default filled in. */
export interface ResolvedThumbnailsOptions {
  readonly maxSize: number;
  readonly percentiles: readonly [number, number];
  readonly concurrency: number;
  readonly maxPixelBytes: number;
  readonly log: (line: string) => void;
  readonly loadEncoder: PngEncoderLoader;
  readonly codecs: Readonly<Record<string, FormatCodec>>;
}

/** Fills in the defaults of {@link ThumbnailsOptions}. */
export function resolveThumbnailsOptions(options: ThumbnailsOptions = {}): ResolvedThumbnailsOptions {
  return {
    maxSize: Math.max(1, Math.floor(options.maxSize ?? 256)),
    percentiles: options.percentiles ?? [0.1, 99.9],
    concurrency: Math.max(1, options.concurrency ?? 4),
    maxPixelBytes: options.maxPixelBytes ?? 256 * 2 ** 20,
    log: options.log ?? ((line) => void process.stderr.write(`${line}\n`)),
    loadEncoder: options.loadEncoder ?? loadNapiCanvas,
    codecs: options.codecs ?? builtinImageCodecs(),
  };
}

function builtinImageCodecs(): Record<string, FormatCodec> {
  const codecs: Record<string, FormatCodec> = {};
  for (const codec of builtinFormatCodecs()) if (codec.readPixels !== undefined) codecs[codec.id] = codec;
  return codecs;
}

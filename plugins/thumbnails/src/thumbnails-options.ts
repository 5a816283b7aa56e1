import { builtinFormatCodecs, type PixelArray } from '@bioimageit/core';
import { loadNapiCanvas, type PngEncoderLoader } from './png-encoder.js';

/** Reads the pixels of a local image file (one per format id). */
export type PixelReader = (path: string) => Promise<PixelArray>;

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
  /** Items whose data file is larger are left without thumbnail, with a warning (default 1 GiB: pixels are read whole). */
  readonly maxFileBytes?: number;
  /** Where warning lines go (one line each, no newline; default: standard error). */
  readonly log?: (line: string) => void;
  /** Loads the PNG encoder on first use (default: @napi-rs/canvas); tests inject a failing one. */
  readonly loadEncoder?: PngEncoderLoader;
  /** Pixel readers by format id (default: core's built-in codecs that read pixels, i.e. `imagetiff`). */
  readonly pixelReaders?: Readonly<Record<string, PixelReader>>;
}

/** {@link ThumbnailsOptions} with every default filled in. */
export interface ResolvedThumbnailsOptions {
  readonly maxSize: number;
  readonly percentiles: readonly [number, number];
  readonly concurrency: number;
  readonly maxFileBytes: number;
  readonly log: (line: string) => void;
  readonly loadEncoder: PngEncoderLoader;
  readonly pixelReaders: Readonly<Record<string, PixelReader>>;
}

/** Fills in the defaults of {@link ThumbnailsOptions}. */
export function resolveThumbnailsOptions(options: ThumbnailsOptions = {}): ResolvedThumbnailsOptions {
  return {
    maxSize: Math.max(1, Math.floor(options.maxSize ?? 256)),
    percentiles: options.percentiles ?? [0.1, 99.9],
    concurrency: Math.max(1, options.concurrency ?? 4),
    maxFileBytes: options.maxFileBytes ?? 2 ** 30,
    log: options.log ?? ((line) => void process.stderr.write(`${line}\n`)),
    loadEncoder: options.loadEncoder ?? loadNapiCanvas,
    pixelReaders: options.pixelReaders ?? builtinPixelReaders(),
  };
}

function builtinPixelReaders(): Record<string, PixelReader> {
  const readers: Record<string, PixelReader> = {};
  for (const codec of builtinFormatCodecs()) {
    const read = codec.readPixels?.bind(codec);
    if (read !== undefined) readers[codec.id] = read;
  }
  return readers;
}

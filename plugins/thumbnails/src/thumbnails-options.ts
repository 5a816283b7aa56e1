import { availableParallelism } from 'node:os';
import { builtinFormatCodecs, type FormatCodec } from '@bioimageit/core';
import { loadCoreEncoder, type PngEncoderLoader } from './png-encoder.js';

/**
 * Configuration of the thumbnails plugin. Bind it before the module is loaded
 * (`bind(ThumbnailsOptions).toConstantValue({ maxSize: 128 })`); every field is optional.
 */
export const ThumbnailsOptions = Symbol.for('@bioimageit/thumbnails/ThumbnailsOptions');
export interface ThumbnailsOptions {
  /** Longest side of a thumbnail in pixels (default 128, what the GUI shows at 96–128 px); smaller images keep their size. */
  readonly maxSize?: number;
  /** Low and high percentiles of the contrast stretch (default 0.1 and 99.9). */
  readonly percentiles?: readonly [number, number];
  /** Thumbnails made at once (default 4). */
  readonly concurrency?: number;
  /**
   * Worker threads that read and draw thumbnails, so the thread that imports never decodes pixels
   * (default: one per core beyond the first, at most 2; at least 1). 0 draws in the calling
   * thread. Also 0 when `codecs` or `loadEncoder` are given: those live in the caller's thread.
   */
  readonly workers?: number;
  /**
   * Queued thumbnails are drawn, then saved together, once nothing more was queued for this long
   * (default 5,000 ms), once the queued work settles (a run's end, `kernel.dispose()`), or once
   * `maxWaiting` items wait (default 20,000), so that an import shares neither the CPU nor the
   * store with them. Drawn PNGs are also saved as soon as they hold more than `maxHeldBytes`
   * (default 32 MiB).
   */
  readonly saveAfterMs?: number;
  readonly maxWaiting?: number;
  readonly maxHeldBytes?: number;
  /**
   * The most decoded bytes one plane read may take (default 256 MiB). Thumbnails read the first
   * time point and channel one z-plane at a time; an image whose plane the file declares larger
   * (a slide scan too big to draw whole, or a decompression bomb) is left without thumbnail, with
   * a warning, before anything is decoded. The file's own size does not matter.
   */
  readonly maxPixelBytes?: number;
  /** Where warning lines go (one line each, no newline; default: standard error). */
  readonly log?: (line: string) => void;
  /** Loads the PNG encoder on first use (default: core's `encodePng`, on node:zlib); tests inject a failing one. */
  readonly loadEncoder?: PngEncoderLoader;
  /** Image codecs by format id (default: core's built-in codecs that read pixels, i.e. `imagetiff`). */
  readonly codecs?: Readonly<Record<string, FormatCodec>>;
}

/** {@link ThumbnailsOptions} with every default filled in. */
export interface ResolvedThumbnailsOptions {
  readonly maxSize: number;
  readonly percentiles: readonly [number, number];
  readonly concurrency: number;
  readonly workers: number;
  readonly saveAfterMs: number;
  readonly maxWaiting: number;
  readonly maxHeldBytes: number;
  readonly maxPixelBytes: number;
  readonly log: (line: string) => void;
  readonly loadEncoder: PngEncoderLoader;
  readonly codecs: Readonly<Record<string, FormatCodec>>;
}

/** Fills in the defaults of {@link ThumbnailsOptions}. */
export function resolveThumbnailsOptions(options: ThumbnailsOptions = {}): ResolvedThumbnailsOptions {
  return {
    maxSize: Math.max(1, Math.floor(options.maxSize ?? 128)),
    percentiles: options.percentiles ?? [0.1, 99.9],
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 4)),
    workers:
      options.codecs !== undefined || options.loadEncoder !== undefined
        ? 0
        : Math.max(0, Math.floor(options.workers ?? Math.min(2, Math.max(1, availableParallelism() - 1)))),
    saveAfterMs: Math.max(0, options.saveAfterMs ?? 5000),
    maxWaiting: Math.max(1, options.maxWaiting ?? 20_000),
    maxHeldBytes: Math.max(0, options.maxHeldBytes ?? 32 * 2 ** 20),
    maxPixelBytes: options.maxPixelBytes ?? 256 * 2 ** 20,
    log: options.log ?? ((line) => void process.stderr.write(`${line}\n`)),
    loadEncoder: options.loadEncoder ?? loadCoreEncoder,
    codecs: options.codecs ?? builtinImageCodecs(),
  };
}

function builtinImageCodecs(): Record<string, FormatCodec> {
  const codecs: Record<string, FormatCodec> = {};
  for (const codec of builtinFormatCodecs()) if (codec.readPixels !== undefined) codecs[codec.id] = codec;
  return codecs;
}

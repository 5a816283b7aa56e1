import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { relative, isAbsolute, dirname } from 'node:path';
import { builtinFormatCodecs, type DataItem, type ExperimentStore, type FormatCodec, type FormatRegistry } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { imageDims, type PlaneSelection } from './image-plane.js';
import { CanvasPngRenderer, type PngRenderer } from './png-renderer.js';
import { RenderPool } from './render-pool.js';
import { runRenderJob, type RenderJob } from './render-job.js';
import { TaskLimiter } from './task-limiter.js';

/** Axis sizes and pixel type of an image item, for the preview's sliders. */
export interface ImageInfo {
  readonly axes: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly sizeZ: number;
  readonly sizeC: number;
  readonly sizeT: number;
  readonly width: number;
  readonly height: number;
  readonly physicalSize?: unknown;
}

/** Rendered thumbnails kept in memory (a few KiB each), so that paging back and forth draws nothing twice. */
const THUMBNAIL_CACHE = 1000;

/** How previews are read and drawn. */
export interface PreviewOptions {
  /** Images decoded at once, each in its own worker thread (default 2). */
  readonly workers?: number;
  /** Decoded bytes one plane read may take; larger planes (and decompression bombs) answer 422 before decoding (default 256 MiB). */
  readonly maxPixelBytes?: number;
  /** A preview still drawing after this is stopped and answers 503 (default 30 s). */
  readonly deadlineMs?: number;
}

/**
 * Previews of image items: axis facts (from the file's header, no pixels decoded), a PNG of one
 * z-plane or the maximum projection, and thumbnails (the stored one when the item has it inside
 * its experiment, else a rendered maximum projection).
 *
 * Pixels never decode on the server's event loop: files in the built-in formats are read and drawn
 * in a {@link RenderPool} of worker threads (at most `workers` at once, the rest queued), with
 * bounded reads (core's `readPlane`: the one plane shown, or the maximum over Z one plane at a
 * time, each within `maxPixelBytes` checked against the sizes the file declares) reduced to the
 * size asked before they leave the worker. Formats contributed by plugins are read in this thread
 * with the same bounds, one at a time. A renderer given by the caller (tests) draws in this thread.
 *
 * Errors: BAD_REQUEST for items that are not images or indices outside the image, FORBIDDEN for a
 * stored thumbnail outside the experiment folder, FormatError TOO_LARGE (422) for a plane over the
 * limit, UNAVAILABLE for a preview past its deadline.
 */
export class PreviewService {
  private readonly thumbnails = new Map<string, Uint8Array>();
  private readonly pool: RenderPool;
  private readonly local = new TaskLimiter(1);
  private readonly maxPixelBytes: number;
  private readonly drawInWorker: boolean;

  constructor(
    private readonly formats: FormatRegistry,
    private readonly renderer: PngRenderer,
    options: PreviewOptions = {},
  ) {
    this.maxPixelBytes = options.maxPixelBytes ?? 256 * 2 ** 20;
    this.pool = new RenderPool(options.workers ?? 2, options.deadlineMs ?? 30_000);
    this.drawInWorker = renderer instanceof CanvasPngRenderer;
  }

  /** Stops the preview workers. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async info(store: ExperimentStore, item: DataItem): Promise<ImageInfo> {
    const codec = await this.codec(item);
    const meta = codec.readFileMetadata === undefined ? item.metadata : await codec.readFileMetadata(await store.localize(item));
    const axes = typeof meta.axes === 'string' ? meta.axes : undefined;
    const shape = Array.isArray(meta.shape) ? meta.shape.map(Number) : undefined;
    if (axes === undefined || shape === undefined || typeof meta.dtype !== 'string') {
      throw new ApiError('BAD_REQUEST', `item '${item.name}' has no image geometry in its metadata (axes, shape, dtype)`, { details: { item: item.id } });
    }
    let dims;
    try {
      dims = imageDims(shape, axes);
    } catch (error) {
      throw new ApiError('BAD_REQUEST', `item '${item.name}': ${(error as Error).message}`, { details: { item: item.id } });
    }
    return {
      axes,
      shape,
      dtype: meta.dtype,
      sizeZ: dims.sizeZ,
      sizeC: dims.sizeC,
      sizeT: dims.sizeT,
      width: dims.width,
      height: dims.height,
      ...(meta.physicalSize !== undefined && { physicalSize: meta.physicalSize }),
    };
  }

  async preview(store: ExperimentStore, item: DataItem, selection: PlaneSelection, size: number): Promise<Uint8Array> {
    const codec = await this.codec(item);
    const job: RenderJob = {
      path: await store.localize(item),
      format: item.format,
      ...(selection.t !== undefined && { t: selection.t }),
      ...(selection.c !== undefined && { c: selection.c }),
      z: selection.z,
      size,
      maxBytes: this.maxPixelBytes,
    };
    try {
      if (builtinFormatIds.has(item.format)) {
        const { plane, png } = await this.pool.run(job, this.drawInWorker);
        return png ?? (await this.renderer.render(plane, size));
      }
      return await this.local.run(async () => {
        const { plane } = await runRenderJob(codec, job);
        return this.renderer.render(plane, size);
      });
    } catch (error) {
      if (error instanceof RangeError) {
        throw new ApiError('BAD_REQUEST', `item '${item.name}': ${lowerAxis(error.message)}`, { details: { item: item.id } });
      }
      throw error;
    }
  }

  async thumbnail(store: ExperimentStore, item: DataItem, size: number): Promise<Uint8Array> {
    if (item.thumbnail !== undefined && item.thumbnail.startsWith('file:')) {
      const path = fileURLToPath(item.thumbnail);
      const root = dirname(fileURLToPath(store.uri.endsWith('/') ? store.uri + 'experiment.md.json' : store.uri + '/experiment.md.json'));
      const inside = relative(root, path);
      if (inside.startsWith('..') || isAbsolute(inside))
        throw new ApiError('FORBIDDEN', `thumbnail of item '${item.name}' lies outside the experiment folder`, { details: { item: item.id } });
      const stored = await readFile(path).catch(() => undefined);
      if (stored !== undefined) return stored;
    }
    const key = `${store.uri}#${item.id}#${item.sha256 ?? ''}#${size}`;
    const cached = this.thumbnails.get(key);
    if (cached !== undefined) return cached;
    const png = await this.preview(store, item, { z: 'max' }, size);
    if (this.thumbnails.size >= THUMBNAIL_CACHE) this.thumbnails.delete(this.thumbnails.keys().next().value as string);
    this.thumbnails.set(key, png);
    return png;
  }

  private async codec(item: DataItem): Promise<FormatCodec> {
    const codec = this.formats.has(item.format) ? await this.formats.get(item.format) : undefined;
    if (codec?.readPixels === undefined) {
      throw new ApiError('BAD_REQUEST', `item '${item.name}' is not an image (format ${item.format}); previews exist for image formats only`, {
        details: { item: item.id, format: item.format },
      });
    }
    return codec;
  }
}

/** Format ids whose codecs the preview workers hold. */
const builtinFormatIds = new Set(builtinFormatCodecs().map((codec) => codec.id));

/** `Z=3 is outside the image (Z has …)` as the API words it, with the query's lower-case names. */
function lowerAxis(message: string): string {
  return message
    .replace(/^([TCZ])=/, (_, axis: string) => `${axis.toLowerCase()}=`)
    .replace(/\(([TCZ]) has/, (_, axis: string) => `(${axis.toLowerCase()} has`);
}

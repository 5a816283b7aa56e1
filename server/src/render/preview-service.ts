import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { relative, isAbsolute, dirname } from 'node:path';
import {
  builtinFormatCodecs,
  defaultChannelColor,
  FormatError,
  imageGeometry,
  type ChannelDisplay,
  type ChannelWindow,
  type DataItem,
  type ExperimentStore,
  type FormatCodec,
  type FormatMetadata,
  type FormatRegistry,
  type PhysicalSize,
  TaskLimiter,
} from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { channelDisplays, type PlaneSelection } from './image-plane.js';
import { RenderPool } from './render-pool.js';
import { runRenderJob, type DrawJob, type RenderJob, type RenderResult } from './render-job.js';

/** One channel of an image as the viewer shows it. */
export interface ImageChannel {
  readonly index: number;
  readonly name?: string;
  /** The colour it is drawn in: its own, else a default (see core's `defaultChannelColor`). */
  readonly color: string;
  readonly excitation?: PhysicalSize;
  readonly emission?: PhysicalSize;
  /**
   * Its display window, from the percentiles (0.1, 99.9) of its whole stack at the first time
   * point, with the extremes seen. Absent when the pixels cannot be read (see `pixelsError`).
   */
  readonly window?: ChannelWindow;
}

/** Geometry, physical sizes and channels of an image item, for the viewer. */
export interface ImageInfo {
  readonly axes: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly sizeZ: number;
  readonly sizeC: number;
  readonly sizeT: number;
  readonly width: number;
  readonly height: number;
  /** 3 or 4 for RGB(A) images (drawn in their own colours, one window), else 1. */
  readonly samples: number;
  readonly physicalSize?: FormatMetadata['physicalSize'];
  readonly timeIncrement?: PhysicalSize;
  readonly channels: readonly ImageChannel[];
  /** Why the pixels cannot be drawn (a plane over the read limit, a corrupt file): the facts above come from the header alone. */
  readonly pixelsError?: string;
}

/** Rendered thumbnails kept in memory (a few KiB each), so that paging back and forth draws nothing twice. */
const THUMBNAIL_CACHE = 1000;
/** Display windows of images kept in memory. */
const WINDOW_CACHE = 500;

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
 * Previews of image items, drawn by core's renderer (`renderImage`, the one the thumbnails plugin
 * uses): the composite of the channels in their colours, each through a display window chosen
 * once per image from the percentiles of its whole stack (so a plane of noise stays dark as z
 * moves), or through the window and colour the request gives; one z-plane or the maximum
 * projection; a region at the size shown. Also the image's facts (axes, sizes, physical sizes,
 * channels with their windows) and thumbnails (the stored one when the item has it inside its
 * experiment, else a composite maximum projection drawn as the thumbnails plugin draws it).
 *
 * Pixels never decode on the server's event loop: files in the built-in formats are read and drawn
 * in a {@link RenderPool} of worker threads (at most `workers` at once, the rest queued), with
 * bounded reads (core's `readPlane`, each read within `maxPixelBytes` checked against the sizes
 * the file declares). Formats contributed by plugins are read in this thread with the same
 * bounds, one at a time.
 *
 * Errors: BAD_REQUEST for items that are not images, indices or regions outside the image,
 * FORBIDDEN for a stored thumbnail outside the experiment folder, FormatError TOO_LARGE (422) for a
 * plane over the limit, UNAVAILABLE for a preview past its deadline.
 */
export class PreviewService {
  private readonly thumbnails = new Map<string, Uint8Array>();
  private readonly windows = new Map<string, Promise<ChannelWindow[]>>();
  private readonly headers = new Map<string, Promise<FormatMetadata>>();
  private readonly pool: RenderPool;
  private readonly local = new TaskLimiter(1);
  private readonly maxPixelBytes: number;

  constructor(
    private readonly formats: FormatRegistry,
    options: PreviewOptions = {},
  ) {
    this.maxPixelBytes = options.maxPixelBytes ?? 256 * 2 ** 20;
    this.pool = new RenderPool(options.workers ?? 2, options.deadlineMs ?? 30_000);
  }

  /** Stops the preview workers. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async info(store: ExperimentStore, item: DataItem): Promise<ImageInfo> {
    const { meta, geometry } = await this.geometry(store, item);
    let windows: ChannelWindow[] | undefined;
    let pixelsError: string | undefined;
    try {
      windows = await this.stackWindows(store, item);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      pixelsError = error.message;
    }
    const described = meta.channels ?? item.metadata.channels;
    const count = geometry.samples >= 3 ? 1 : geometry.sizeC;
    const channels: ImageChannel[] = [...Array(count).keys()].map((index) => {
      const c = described?.[index];
      const window = windows?.[index];
      return {
        index,
        ...(c?.name !== undefined && { name: c.name }),
        color: geometry.samples >= 3 ? '#ffffff' : defaultChannelColor(index, count, c),
        ...(c?.excitation !== undefined && { excitation: c.excitation }),
        ...(c?.emission !== undefined && { emission: c.emission }),
        ...(window !== undefined && { window }),
      };
    });
    const timeIncrement = meta.timeIncrement ?? item.metadata.timeIncrement;
    const physicalSize = meta.physicalSize ?? item.metadata.physicalSize;
    return {
      axes: meta.axes as string,
      shape: meta.shape as number[],
      dtype: meta.dtype as string,
      sizeZ: geometry.sizeZ,
      sizeC: geometry.sizeC,
      sizeT: geometry.sizeT,
      width: geometry.width,
      height: geometry.height,
      samples: geometry.samples,
      ...(physicalSize !== undefined && { physicalSize }),
      ...(timeIncrement !== undefined && { timeIncrement }),
      channels,
      ...(pixelsError !== undefined && { pixelsError }),
    };
  }

  /** A PNG of the selection, its longer side `size` pixels. */
  async preview(store: ExperimentStore, item: DataItem, selection: PlaneSelection, size: number): Promise<Uint8Array> {
    const { meta, geometry } = await this.geometry(store, item);
    const channels = meta.channels ?? item.metadata.channels;
    const windows = await this.stackWindows(store, item);
    const count = geometry.samples >= 3 ? 1 : geometry.sizeC;
    const defaults: ChannelDisplay[] = windows.slice(0, count).map((w, c) => ({
      color: geometry.samples >= 3 ? '#ffffff' : defaultChannelColor(c, count, channels?.[c]),
      active: true,
      start: w.start,
      end: w.end,
    }));
    let displays: ChannelDisplay[];
    try {
      displays = channelDisplays(selection.channels, defaults);
    } catch (error) {
      throw this.badRequest(item, error);
    }
    const job: DrawJob = {
      kind: 'draw',
      path: await store.localize(item),
      format: item.format,
      ...(selection.t !== undefined && { t: selection.t }),
      z: selection.z,
      channels: displays,
      ...(selection.region !== undefined && { region: selection.region }),
      size,
      maxBytes: this.maxPixelBytes,
    };
    const result = await this.run(item, job);
    return (result as { png: Uint8Array }).png;
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
    await this.codec(item);
    const channelMetadata = item.metadata.channels;
    const job: DrawJob = {
      kind: 'draw',
      path: await store.localize(item),
      format: item.format,
      z: 'max',
      ...(channelMetadata !== undefined && { channelMetadata }),
      size,
      maxBytes: this.maxPixelBytes,
    };
    const { png } = (await this.run(item, job)) as { png: Uint8Array };
    if (this.thumbnails.size >= THUMBNAIL_CACHE) this.thumbnails.delete(this.thumbnails.keys().next().value as string);
    this.thumbnails.set(key, png);
    return png;
  }

  /** The display window of each channel of the item, from its whole stack at t = 0 (found once per file version). */
  private stackWindows(store: ExperimentStore, item: DataItem): Promise<ChannelWindow[]> {
    const key = `${store.uri}#${item.id}#${item.sha256 ?? ''}`;
    let windows = this.windows.get(key);
    if (windows === undefined) {
      windows = (async () => {
        const job: RenderJob = { kind: 'windows', path: await store.localize(item), format: item.format, maxBytes: this.maxPixelBytes };
        return ((await this.run(item, job)) as { windows: ChannelWindow[] }).windows;
      })();
      windows.catch(() => this.windows.delete(key));
      if (this.windows.size >= WINDOW_CACHE) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, windows);
    }
    return windows;
  }

  private async run(item: DataItem, job: RenderJob): Promise<RenderResult> {
    const codec = await this.codec(item);
    try {
      if (builtinFormatIds.has(item.format)) return await this.pool.run(job);
      return await this.local.run(() => runRenderJob(codec, job));
    } catch (error) {
      if (error instanceof RangeError) throw this.badRequest(item, error);
      throw error;
    }
  }

  /**
   * The file's header, read in a worker (or the metadata recorded at import for codecs that cannot
   * read headers), and its geometry; kept once per file version, so a preview request reads nothing
   * on the event loop.
   */
  private async geometry(store: ExperimentStore, item: DataItem) {
    const codec = await this.codec(item);
    let meta: FormatMetadata = item.metadata;
    if (codec.readFileMetadata !== undefined) {
      const key = `${store.uri}#${item.id}#${item.sha256 ?? ''}`;
      let header = this.headers.get(key);
      if (header === undefined) {
        header = (async () => {
          const job: RenderJob = { kind: 'header', path: await store.localize(item), format: item.format };
          return ((await this.run(item, job)) as { meta: FormatMetadata }).meta;
        })();
        header.catch(() => this.headers.delete(key));
        if (this.headers.size >= WINDOW_CACHE) this.headers.delete(this.headers.keys().next().value as string);
        this.headers.set(key, header);
      }
      meta = await header;
    }
    if (typeof meta.axes !== 'string' || !Array.isArray(meta.shape) || typeof meta.dtype !== 'string') {
      throw new ApiError('BAD_REQUEST', `item '${item.name}' has no image geometry in its metadata (axes, shape, dtype)`, { details: { item: item.id } });
    }
    try {
      return { meta, geometry: imageGeometry(meta) };
    } catch (error) {
      throw this.badRequest(item, error);
    }
  }

  private badRequest(item: DataItem, error: unknown): ApiError {
    return new ApiError('BAD_REQUEST', `item '${item.name}': ${lowerAxis((error as Error).message)}`, { details: { item: item.id } });
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

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { relative, isAbsolute, dirname } from 'node:path';
import type { DataItem, ExperimentStore, FormatRegistry, PixelArray } from '@bioimageit/core';
import { ApiError } from '../api-error.js';
import { extractPlane, imageDims, type PlaneSelection } from './image-plane.js';
import type { PngRenderer } from './png-renderer.js';
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

/** Items whose pixels are kept decoded, so that moving a z slider does not decode the file again. */
const PIXEL_CACHE = 8;
/** Rendered thumbnails kept in memory (a few KiB each), so that paging back and forth draws nothing twice. */
const THUMBNAIL_CACHE = 1000;
/** Images decoded and drawn at once (a page of 50 thumbnails waits its turn instead of decoding 50 files together). */
const RENDERS_AT_ONCE = 2;

/**
 * Previews of image items: axis facts, a PNG of one z-plane or the maximum projection, and
 * thumbnails (the stored one when the item has it inside its experiment, else a rendered maximum
 * projection). Pixels are read through the item format's codec from `store.localize(item)`.
 * Errors: BAD_REQUEST for items that are not images or indices outside the image, FORBIDDEN for a
 * stored thumbnail outside the experiment folder.
 */
export class PreviewService {
  private readonly pixels = new Map<string, Promise<PixelArray>>();
  private readonly thumbnails = new Map<string, Uint8Array>();
  private readonly limiter = new TaskLimiter(RENDERS_AT_ONCE);

  constructor(
    private readonly formats: FormatRegistry,
    private readonly renderer: PngRenderer,
  ) {}

  async info(store: ExperimentStore, item: DataItem): Promise<ImageInfo> {
    const pixels = await this.read(store, item);
    const dims = imageDims(pixels.shape, pixels.axes);
    return {
      axes: pixels.axes,
      shape: pixels.shape,
      dtype: pixels.dtype,
      sizeZ: dims.sizeZ,
      sizeC: dims.sizeC,
      sizeT: dims.sizeT,
      width: dims.width,
      height: dims.height,
      ...(pixels.physicalSize !== undefined && { physicalSize: pixels.physicalSize }),
    };
  }

  preview(store: ExperimentStore, item: DataItem, selection: PlaneSelection, size: number): Promise<Uint8Array> {
    return this.limiter.run(async () => {
      const pixels = await this.read(store, item);
      let plane;
      try {
        plane = extractPlane(pixels, selection);
      } catch (error) {
        if (error instanceof RangeError) throw new ApiError('BAD_REQUEST', `item '${item.name}': ${error.message}`, { details: { item: item.id } });
        throw error;
      }
      return this.renderer.render(plane, size);
    });
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
    const key = `${this.key(store, item)}#${size}`;
    const cached = this.thumbnails.get(key);
    if (cached !== undefined) return cached;
    const png = await this.preview(store, item, { z: 'max' }, size);
    if (this.thumbnails.size >= THUMBNAIL_CACHE) this.thumbnails.delete(this.thumbnails.keys().next().value as string);
    this.thumbnails.set(key, png);
    return png;
  }

  private key(store: ExperimentStore, item: DataItem): string {
    return `${store.uri}#${item.id}#${item.sha256 ?? ''}`;
  }

  private read(store: ExperimentStore, item: DataItem): Promise<PixelArray> {
    const key = this.key(store, item);
    let pending = this.pixels.get(key);
    if (pending === undefined) {
      pending = this.decode(store, item);
      pending.catch(() => this.pixels.delete(key));
      if (this.pixels.size >= PIXEL_CACHE) this.pixels.delete(this.pixels.keys().next().value as string);
    } else {
      this.pixels.delete(key);
    }
    this.pixels.set(key, pending);
    return pending;
  }

  private async decode(store: ExperimentStore, item: DataItem): Promise<PixelArray> {
    const codec = this.formats.has(item.format) ? await this.formats.get(item.format) : undefined;
    if (codec?.readPixels === undefined) {
      throw new ApiError('BAD_REQUEST', `item '${item.name}' is not an image (format ${item.format}); previews exist for image formats only`, {
        details: { item: item.id, format: item.format },
      });
    }
    return codec.readPixels(await store.localize(item));
  }
}

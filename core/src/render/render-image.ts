import type { FormatCodec, PixelArray } from '../extension-points/format-codec.js';
import type { ChannelMetadata, FormatMetadata } from '../model/data-item.js';
import { readPlane } from '../formats/read-plane.js';
import { defaultChannelDisplays, type ChannelDisplay, type ChannelWindow } from './channel-display.js';
import { colourRgba, compositeRgba, type RgbaImage } from './composite.js';
import { WindowSampler, valuesWindow } from './display-window.js';
import { fitSize, resamplePlane, type FloatPlane, type Region } from './resample.js';

/** Sizes of an image's axes (absent axes are 1) and its samples per pixel (3 or 4 for RGB(A)). */
export interface ImageGeometry {
  readonly sizeT: number;
  readonly sizeC: number;
  readonly sizeZ: number;
  readonly height: number;
  readonly width: number;
  readonly samples: number;
}

/** The geometry of metadata with `shape` and `axes` (letters of `TCZYXS`, Y and X required); RangeError otherwise. */
export function imageGeometry(meta: Pick<FormatMetadata, 'shape' | 'axes'>): ImageGeometry {
  const { shape, axes } = meta;
  if (!Array.isArray(shape) || typeof axes !== 'string' || shape.length !== axes.length) {
    throw new RangeError(`metadata has no image geometry (axes ${JSON.stringify(axes)}, shape ${JSON.stringify(shape)})`);
  }
  if (!axes.includes('Y') || !axes.includes('X')) throw new RangeError(`axes '${axes}' lack Y and X`);
  const size = (axis: string) => (axes.includes(axis) ? Number(shape[axes.indexOf(axis)]) : 1);
  return { sizeT: size('T'), sizeC: size('C'), sizeZ: size('Z'), height: size('Y'), width: size('X'), samples: size('S') };
}

/** The geometry of a file: from its header when the codec reads headers, else from its pixels (read within `maxBytes`). */
export async function readImageGeometry(codec: FormatCodec, path: string, maxBytes: number): Promise<ImageGeometry> {
  if (codec.readFileMetadata !== undefined) return imageGeometry(await codec.readFileMetadata(path));
  if (codec.readPixels === undefined) throw new TypeError(`format '${codec.id}' has no pixel reader`);
  return imageGeometry(await codec.readPixels(path, { maxBytes }));
}

/** What to draw of an image. */
export interface RenderRequest {
  /** Time point (default 0). */
  readonly t?: number;
  /** A z index, or `max` for the maximum-intensity projection over Z. */
  readonly z: number | 'max';
  /**
   * How each channel is drawn, in C order (a missing entry: that channel is off). Omitted: every
   * channel on, in its default colour ({@link defaultChannelDisplays} with `channelMetadata`),
   * with a window from the percentiles of the plane drawn (what thumbnails use; viewers pass the
   * windows of the whole stack, {@link stackWindows}, so the range stays put across z).
   * An RGB(A) image is drawn in its own colours through the first entry's window.
   */
  readonly channels?: readonly ChannelDisplay[];
  /** How many channels the image has, when known (metadata recorded at import): saves reading the header for default displays. */
  readonly sizeC?: number;
  /** Names and colours of the channels, for default displays. */
  readonly channelMetadata?: readonly ChannelMetadata[];
  /** Low and high percentiles (0–100) of default windows (default 0.1 and 99.9). */
  readonly percentiles?: readonly [number, number];
  /** The part of the plane drawn, in full-resolution pixels (default: all of it). */
  readonly region?: Region;
  /** Longer side of the image drawn, in pixels: the region is reduced (area mean) or enlarged (nearest pixel) to it. */
  readonly size: number;
  /** Never enlarge: a region smaller than `size` keeps its own size (thumbnails). */
  readonly noEnlarge?: boolean;
  /** Decoded bytes one plane read may take (core's `readPlane`: FormatError TOO_LARGE before decoding). */
  readonly maxBytes: number;
}

/**
 * Draws an image as BioImageIT's viewers and thumbnails show it: the composite of its channels,
 * each windowed and coloured, added (see {@link compositeRgba}); one z-plane or the maximum
 * projection of time point `t`; the region asked, at the size asked. Only the channels shown are
 * read, one plane each, with bounded memory (`readPlane`).
 *
 * Throws RangeError for an index or region outside the image, and the codec's errors
 * (FormatError CORRUPT, TOO_LARGE).
 */
export async function renderImage(codec: FormatCodec, path: string, request: RenderRequest): Promise<RgbaImage> {
  let displays = request.channels;
  let sizeC = displays?.length ?? request.sizeC;
  if (sizeC === undefined) sizeC = (await readImageGeometry(codec, path, request.maxBytes)).sizeC;
  const wanted = displays === undefined ? [...Array(sizeC).keys()] : displays.flatMap((d, c) => (d.active ? [c] : []));
  const read = (c: number) => readPlane(codec, path, { ...(request.t !== undefined && { t: request.t }), c, z: request.z }, request.maxBytes);
  const first = await read(wanted[0] ?? 0);
  const [height, width, samples = 1] = first.shape as [number, number, number?];
  const region = request.region ?? { x: 0, y: 0, width, height };
  const size = request.noEnlarge === true ? Math.min(request.size, Math.max(region.width, region.height)) : request.size;
  const out = fitSize(region.width, region.height, size);
  const resample = (pixels: PixelArray): FloatPlane => resamplePlane(pixels.data, width, height, samples, region, out.width, out.height);
  if (samples >= 3) {
    const window = displays?.[0] ?? rgbWindow(first);
    return colourRgba(resample(first), window);
  }
  const planes: (FloatPlane | undefined)[] = [];
  const windows: ChannelWindow[] = [];
  for (const [i, c] of wanted.entries()) {
    const pixels = i === 0 ? first : await read(c);
    planes[c] = resample(pixels);
    if (displays === undefined) {
      const [low, high] = request.percentiles ?? [0.1, 99.9];
      windows[c] = valuesWindow(pixels.data, low / 100, high / 100);
    }
  }
  displays ??= defaultChannelDisplays(windows, request.channelMetadata);
  return compositeRgba(planes, displays);
}

/** Bounds of {@link stackWindows}. */
export interface StackWindowOptions {
  /** Time point (default 0). */
  readonly t?: number;
  /** Decoded bytes one plane read may take. */
  readonly maxBytes: number;
  /** The most z-planes looked at per channel, evenly spaced (default 64). */
  readonly maxPlanes?: number;
  /** Low and high percentiles, 0–100 (default 0.1 and 99.9). */
  readonly percentiles?: readonly [number, number];
}

/**
 * One display window per channel from the percentiles of its whole stack at time point `t` (every
 * z-plane up to `maxPlanes`, read one at a time), not of one plane: a viewer keeps it while z
 * moves, so a plane of noise stays dark instead of being stretched to salt and pepper. RGB(A)
 * images get one window: 0–255 for 8-bit, else from all samples.
 */
export async function stackWindows(codec: FormatCodec, path: string, options: StackWindowOptions): Promise<ChannelWindow[]> {
  if (codec.readPixels === undefined) throw new TypeError(`format '${codec.id}' has no pixel reader`);
  const geometry = await readImageGeometry(codec, path, options.maxBytes);
  const [low, high] = options.percentiles ?? [0.1, 99.9];
  const planes = Math.min(geometry.sizeZ, Math.max(1, options.maxPlanes ?? 64));
  const zs = [...new Set([...Array(planes).keys()].map((i) => Math.round((i * (geometry.sizeZ - 1)) / Math.max(1, planes - 1))))];
  const t = options.t ?? 0;
  const windows: ChannelWindow[] = [];
  for (let c = 0; c < (geometry.samples >= 3 ? 1 : geometry.sizeC); c++) {
    const sampler = new WindowSampler();
    let pixels: PixelArray | undefined;
    for (const z of zs) {
      pixels = await codec.readPixels(path, { select: { T: t, C: c, Z: z }, maxBytes: options.maxBytes });
      if (geometry.samples >= 3) for (let s = 0; s < 3; s++) sampler.add(pixels.data, s, geometry.samples);
      else sampler.add(pixels.data);
    }
    windows.push(
      geometry.samples >= 3 && pixels?.dtype === 'uint8'
        ? { ...sampler.window(low / 100, high / 100), start: 0, end: 255 }
        : sampler.window(low / 100, high / 100),
    );
  }
  return windows;
}

/** The window of an RGB plane drawn without one given: 0–255 for 8-bit, else its percentiles. */
function rgbWindow(pixels: PixelArray): ChannelWindow {
  if (pixels.dtype === 'uint8') return { start: 0, end: 255, min: 0, max: 255 };
  const sampler = new WindowSampler();
  const samples = pixels.shape[2] ?? 3;
  for (let s = 0; s < 3; s++) sampler.add(pixels.data, s, samples);
  return sampler.window();
}

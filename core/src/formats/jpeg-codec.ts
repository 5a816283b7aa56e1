import type JpegJs from 'jpeg-js';
import type { FormatCodec, PixelArray, PixelReadOptions } from '../extension-points/format-codec.js';
import type { FormatMetadata } from '../model/data-item.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readFileHead, readWholeFile } from './file-reads.js';
import { corrupt, ioFailure, unsupported } from './format-failure.js';
import { defaultMaxPixelBytes } from './pixel-limits.js';
import { checkDeclaredBytes, planeOnly } from './plane-image.js';

let jpegLoad: Promise<typeof JpegJs> | undefined;
/** jpeg-js, loaded when a JPEG is first decoded or encoded (not by every command that starts the kernel). */
const jpegJs = (): Promise<typeof JpegJs> => (jpegLoad ??= import('jpeg-js').then((m) => m.default));

/** What a JPEG's frame header says. */
export interface JpegMetadata extends FormatMetadata {
  readonly shape: readonly number[];
  readonly axes: string;
  readonly dtype: 'uint8';
  /** Colour components: 1 grey, 3 colour (4: CMYK, not read). */
  readonly components: number;
  /** `baseline`, `extended` or `progressive`. */
  readonly coding: string;
}

/** Start-of-frame markers and their coding; arithmetic and lossless frames are not decoded. */
const FRAMES: Readonly<Record<number, string>> = { 0xc0: 'baseline', 0xc1: 'extended', 0xc2: 'progressive' };
const OTHER_FRAMES = new Set([0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * JPEG images (format id `imagejpeg`; brightfield and camera images): 8-bit grey (`YX`) or colour
 * (`YXS`, 3 samples). Metadata comes from the frame header (one linear pass over the markers);
 * pixels are decoded by jpeg-js after the declared size is checked against the read's limit (its
 * own resolution and memory caps set from that limit too); writes are atomic 8-bit RGB JPEG at
 * quality 95 (lossy). Errors: FormatError CORRUPT, UNSUPPORTED (12-bit, lossless, arithmetic,
 * CMYK), TOO_LARGE, IO, naming the file.
 */
export class JpegCodec implements FormatCodec {
  readonly id = 'imagejpeg';
  readonly extensions = ['.jpeg', '.jpg'] as const;
  readonly title = 'JPEG image';

  async readMetadata(bytes: Uint8Array, path: string): Promise<JpegMetadata> {
    return readJpegHeader(bytes, path);
  }

  async readFileMetadata(path: string): Promise<JpegMetadata> {
    return readJpegHeader(await readFileHead(path, 1024 * 1024), path);
  }

  async readPixels(path: string, options: PixelReadOptions = {}): Promise<PixelArray> {
    const bytes = await readWholeFile(path);
    const meta = readJpegHeader(bytes, path);
    planeOnly(options.select);
    const maxBytes = options.maxBytes ?? defaultMaxPixelBytes();
    checkDeclaredBytes(path, meta.shape, 'uint8', meta.axes, maxBytes);
    const [height, width] = meta.shape as [number, number];
    let decoded;
    try {
      decoded = (await jpegJs()).decode(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        maxResolutionInMP: Math.ceil((width * height) / 1e6) + 1,
        maxMemoryUsageInMB: Math.ceil((maxBytes * 2) / 2 ** 20) + 64,
      });
    } catch (error) {
      throw corrupt(path, `cannot decode the JPEG: ${error instanceof Error ? error.message : String(error)}`);
    }
    const pixels = width * height;
    const channels = decoded.data.length / pixels;
    let data = decoded.data;
    if (meta.components === 1 && channels !== 1) {
      data = new Uint8Array(pixels);
      for (let i = 0; i < pixels; i++) data[i] = decoded.data[i * channels]!;
    }
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), shape: [...meta.shape], dtype: 'uint8', axes: meta.axes };
  }

  /** Writes an RGB plane (`YXS`, 3 uint8 samples); grey planes are refused (the encoder writes colour only): write them as PNG or TIFF, which are lossless too. */
  async writePixels(path: string, pixels: PixelArray): Promise<void> {
    const { shape, axes, dtype } = pixels;
    if (axes !== 'YXS' || shape[2] !== 3) {
      throw unsupported(
        path,
        `JPEG is written from one RGB plane (axes YXS with 3 samples), not ${axes} ${JSON.stringify(shape)}: write grey images as PNG or TIFF`,
      );
    }
    if (dtype !== 'uint8') throw unsupported(path, `JPEG holds uint8 samples, not ${dtype} (convert first, or write PNG or TIFF)`);
    const [height, width] = shape as [number, number];
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
      rgba[j] = pixels.data[i] as number;
      rgba[j + 1] = pixels.data[i + 1] as number;
      rgba[j + 2] = pixels.data[i + 2] as number;
      rgba[j + 3] = 255;
    }
    await writeFileAtomic(path, [(await jpegJs()).encode({ width, height, data: rgba }, 95).data], { fsync: false }).catch((error: unknown) => {
      throw ioFailure(path, 'write file', error);
    });
  }
}

/** The frame header of a JPEG: markers walked once from SOI to the first start-of-frame; nothing decoded. */
export function readJpegHeader(bytes: Uint8Array, path: string): JpegMetadata {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw corrupt(path, 'not a JPEG file (no start-of-image marker)');
  for (let at = 2; at + 4 <= bytes.length;) {
    if (bytes[at] !== 0xff) throw corrupt(path, `bad JPEG marker at byte ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2) throw corrupt(path, `bad JPEG segment length ${length} at byte ${at}`);
    if (OTHER_FRAMES.has(marker)) throw unsupported(path, `JPEG coding 0x${marker.toString(16)} (lossless, hierarchical or arithmetic) cannot be read`);
    const coding = FRAMES[marker];
    if (coding !== undefined) {
      if (at + 10 > bytes.length) break;
      const precision = bytes[at + 4]!;
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      const components = bytes[at + 9]!;
      if (precision !== 8) throw unsupported(path, `${precision}-bit JPEG cannot be read (8-bit only)`);
      if (width === 0 || height === 0) throw corrupt(path, `JPEG of zero size (${width}×${height})`);
      if (components !== 1 && components !== 3) throw unsupported(path, `JPEG with ${components} components cannot be read (grey or colour only)`);
      return {
        shape: components === 1 ? [height, width] : [height, width, 3],
        axes: components === 1 ? 'YX' : 'YXS',
        dtype: 'uint8',
        components,
        coding,
      };
    }
    at += 2 + length;
  }
  throw corrupt(path, 'no JPEG frame header before the image data (truncated?)');
}

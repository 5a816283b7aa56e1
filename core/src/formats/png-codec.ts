import type * as FastPng from 'fast-png';
import type { FormatCodec, PixelArray, PixelReadOptions } from '../extension-points/format-codec.js';
import type { FormatMetadata } from '../model/data-item.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readFileHead, readWholeFile } from './file-reads.js';
import { corrupt, ioFailure, unsupported } from './format-failure.js';
import { checkDeclaredBytes, planeOnly } from './plane-image.js';

let fastPngLoad: Promise<typeof FastPng> | undefined;
/** fast-png, loaded when a PNG is first decoded or encoded (not by every command that starts the kernel). */
const fastPng = (): Promise<typeof FastPng> => (fastPngLoad ??= import('fast-png'));

/** What a PNG's header says: geometry, sample layout, and the physical pixel size when pHYs gives one in metres. */
export interface PngMetadata extends FormatMetadata {
  readonly shape: readonly number[];
  readonly axes: string;
  readonly dtype: 'uint8' | 'uint16';
  /** Bits per sample as stored (1, 2, 4, 8 or 16; palette images are read as 8-bit RGB(A)). */
  readonly bitDepth: number;
  /** `grey`, `grey+alpha`, `rgb`, `rgba` or `palette`. */
  readonly colour: string;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOURS: Readonly<Record<number, { name: string; samples: number }>> = {
  0: { name: 'grey', samples: 1 },
  2: { name: 'rgb', samples: 3 },
  3: { name: 'palette', samples: 3 },
  4: { name: 'grey+alpha', samples: 2 },
  6: { name: 'rgba', samples: 4 },
};

/**
 * PNG images (format id `imagepng`, the format of gpu-decon's projections): 8- and 16-bit grey,
 * grey+alpha, RGB, RGBA and palette images, as `YX` (one sample) or `YXS`. Metadata comes from
 * the header chunks only (IHDR, pHYs in metres → µm); pixels are decoded by fast-png after the
 * declared size is checked against the read's limit; writes are atomic, 8- or 16-bit, `YX` or
 * `YXS` with 1–4 samples. Errors: FormatError CORRUPT, UNSUPPORTED, TOO_LARGE, IO, naming the file.
 */
export class PngCodec implements FormatCodec {
  readonly id = 'imagepng';
  readonly extensions = ['.png'] as const;
  readonly title = 'PNG image';

  async readMetadata(bytes: Uint8Array, path: string): Promise<PngMetadata> {
    return readPngHeader(bytes, path);
  }

  async readFileMetadata(path: string): Promise<PngMetadata> {
    return readPngHeader(await readFileHead(path, 64 * 1024), path);
  }

  async readPixels(path: string, options: PixelReadOptions = {}): Promise<PixelArray> {
    const bytes = await readWholeFile(path);
    const meta = readPngHeader(bytes, path);
    planeOnly(options.select);
    checkDeclaredBytes(path, meta.shape, meta.dtype, meta.axes, options.maxBytes);
    let png;
    try {
      png = (await fastPng()).decode(bytes);
    } catch (error) {
      throw corrupt(path, `cannot decode the PNG: ${error instanceof Error ? error.message : String(error)}`);
    }
    let data: Uint8Array | Uint16Array;
    let samples = png.channels;
    if (png.palette !== undefined) {
      data = (await fastPng()).convertIndexedToRgb(png);
      samples = data.length / (png.width * png.height);
    } else if (png.depth < 8) {
      data = unpackBits(png.data as Uint8Array, png.width * png.channels, png.height, png.depth);
    } else {
      data = png.depth === 16 ? new Uint16Array(png.data) : new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    }
    const shape = samples === 1 ? [png.height, png.width] : [png.height, png.width, samples];
    return { data, shape, dtype: png.depth === 16 ? 'uint16' : 'uint8', axes: samples === 1 ? 'YX' : 'YXS', ...physical(meta) };
  }

  async writePixels(path: string, pixels: PixelArray): Promise<void> {
    const { shape, axes, dtype } = pixels;
    const samples = axes === 'YXS' ? shape[2]! : 1;
    if ((axes !== 'YX' && axes !== 'YXS') || samples < 1 || samples > 4) {
      throw unsupported(path, `PNG holds one plane of 1 to 4 samples (axes YX or YXS), not ${axes} ${JSON.stringify(shape)}`);
    }
    if (dtype !== 'uint8' && dtype !== 'uint16') throw unsupported(path, `PNG holds uint8 or uint16 samples, not ${dtype} (convert first)`);
    const data = dtype === 'uint8' ? (pixels.data as Uint8Array) : (pixels.data as Uint16Array);
    const png = (await fastPng()).encode({ width: shape[1]!, height: shape[0]!, data, channels: samples, depth: dtype === 'uint8' ? 8 : 16 });
    await writeFileAtomic(path, [png], { fsync: false }).catch((error: unknown) => {
      throw ioFailure(path, 'write file', error);
    });
  }
}

/** The header of a PNG (signature, IHDR, then chunks up to the first IDAT for pHYs): one linear pass, nothing decoded. */
export function readPngHeader(bytes: Uint8Array, path: string): PngMetadata {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw corrupt(path, 'not a PNG file (bad signature, or shorter than a PNG header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (type(12) !== 'IHDR') throw corrupt(path, 'the first PNG chunk is not IHDR');
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24]!;
  const colourType = bytes[25]!;
  const colour = COLOURS[colourType];
  if (width === 0 || height === 0) throw corrupt(path, `PNG of zero size (${width}×${height})`);
  if (colour === undefined) throw corrupt(path, `unknown PNG colour type ${colourType}`);
  if (![1, 2, 4, 8, 16].includes(bitDepth)) throw corrupt(path, `bad PNG bit depth ${bitDepth}`);
  const samples = colour.samples;
  const sixteen = bitDepth === 16 && colourType !== 3;
  const meta: { -readonly [K in keyof PngMetadata]: PngMetadata[K] } = {
    shape: samples === 1 ? [height, width] : [height, width, samples],
    axes: samples === 1 ? 'YX' : 'YXS',
    dtype: sixteen ? 'uint16' : 'uint8',
    bitDepth,
    colour: colour.name,
  };
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    const name = type(at + 4);
    if (name === 'IDAT' || name === 'IEND') break;
    if (name === 'pHYs' && length === 9 && at + 17 <= bytes.length && bytes[at + 16] === 1) {
      const perMetreX = view.getUint32(at + 8);
      const perMetreY = view.getUint32(at + 12);
      if (perMetreX > 0 && perMetreY > 0) meta.physicalSize = { x: { value: 1e6 / perMetreX, unit: 'µm' }, y: { value: 1e6 / perMetreY, unit: 'µm' } };
    }
    at += 12 + length;
  }
  return meta;
}

/** Samples of `bits` < 8 packed in byte-aligned rows, one per byte (values 0 .. 2^bits - 1). */
function unpackBits(packed: Uint8Array, samplesPerRow: number, rows: number, bits: number): Uint8Array {
  const out = new Uint8Array(samplesPerRow * rows);
  const rowBytes = Math.ceil((samplesPerRow * bits) / 8);
  const mask = (1 << bits) - 1;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < samplesPerRow; x++) {
      const bit = x * bits;
      out[y * samplesPerRow + x] = (packed[y * rowBytes + (bit >> 3)]! >> (8 - bits - (bit & 7))) & mask;
    }
  }
  return out;
}

function physical(meta: PngMetadata): Partial<Pick<PixelArray, 'physicalSize'>> {
  return meta.physicalSize === undefined ? {} : { physicalSize: meta.physicalSize };
}

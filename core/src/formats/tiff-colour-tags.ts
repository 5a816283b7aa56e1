import { memoryByteView, type ByteView } from './byte-view.js';
import { corrupt } from './format-failure.js';
import { fieldTypeSize } from './tiff-tags.js';
import type { TiffStructure } from './tiff-structure.js';

/**
 * How one page's samples are to be interpreted after decompression: what the pixel reader needs
 * beyond geotiff's decoding (geotiff reads RATIONAL arrays such as ReferenceBlackWhite wrongly, so
 * these tags are read here from the directory itself).
 */
export interface TiffPageColour {
  readonly photometric: number | undefined;
  readonly compression: number;
  /** 1 none, 2 horizontal differencing, 3 floating point. */
  readonly predictor: number;
  readonly bitsPerSample: number;
  readonly samplesPerPixel: number;
  /** 1 contiguous (chunky), 2 separate planes. */
  readonly planar: number;
  /** YCbCrSubSampling `[horizontal, vertical]`, `[2, 2]` when absent (the TIFF default). */
  readonly subsampling: readonly [number, number];
  /** YCbCrCoefficients (luma weights of red, green, blue), when present. */
  readonly coefficients?: readonly [number, number, number];
  /** ReferenceBlackWhite (six values), when present. */
  readonly referenceBlackWhite?: readonly number[];
}

const COMPRESSION = 259;
const PHOTOMETRIC = 262;
const BITS = 258;
const SAMPLES = 277;
const PLANAR = 284;
const PREDICTOR = 317;
const COEFFICIENTS = 529;
const SUBSAMPLING = 530;
const REFERENCE = 532;
const WANTED = new Set([COMPRESSION, PHOTOMETRIC, BITS, SAMPLES, PLANAR, PREDICTOR, COEFFICIENTS, SUBSAMPLING, REFERENCE]);
/** No wanted tag has more values than this (BitsPerSample has one per sample). */
const MAX_VALUES = 1024;

/**
 * Reads {@link TiffPageColour} of `page` of a file already parsed by `readTiffStructure`. Throws
 * FormatError `CORRUPT` naming `path` when a wanted tag's values lie outside the file.
 */
export function readTiffPageColour(bytes: Uint8Array | ByteView, path: string, structure: TiffStructure, page: number): TiffPageColour {
  const view = bytes instanceof Uint8Array ? memoryByteView(bytes) : bytes;
  const le = structure.littleEndian;
  const big = structure.bigtiff;
  const ifd = structure.ifdOffsets[page]!;
  const count = big ? Number(view.getBigUint64(ifd, le)) : view.getUint16(ifd, le);
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const values: Record<number, number[]> = {};
  for (let i = 0; i < count; i++) {
    const at = ifd + (big ? 8 : 2) + i * entrySize;
    const tag = view.getUint16(at, le);
    if (!WANTED.has(tag)) continue;
    const type = view.getUint16(at + 2, le);
    const n = big ? Number(view.getBigUint64(at + 4, le)) : view.getUint32(at + 4, le);
    const size = fieldTypeSize(type);
    if (size === 0 || n === 0 || n > MAX_VALUES) continue;
    let from = at + (big ? 12 : 8);
    if (n * size > inline) from = big ? Number(view.getBigUint64(from, le)) : view.getUint32(from, le);
    if (from + n * size > view.length) throw corrupt(path, `page ${page}: the values of tag ${tag} lie beyond the end of the file`, { page, tag });
    values[tag] = Array.from({ length: n }, (_, k) => readValue(view, from + k * size, type, le));
  }
  const one = (tag: number, fallback: number): number => values[tag]?.[0] ?? fallback;
  const sub = values[SUBSAMPLING];
  const coefficients = values[COEFFICIENTS];
  const reference = values[REFERENCE];
  return {
    photometric: values[PHOTOMETRIC]?.[0],
    compression: one(COMPRESSION, 1),
    predictor: one(PREDICTOR, 1),
    bitsPerSample: one(BITS, 1),
    samplesPerPixel: one(SAMPLES, 1),
    planar: one(PLANAR, 1),
    subsampling: [sub?.[0] ?? 2, sub?.[1] ?? 2],
    ...(coefficients?.length === 3 ? { coefficients: [coefficients[0]!, coefficients[1]!, coefficients[2]!] as const } : {}),
    ...(reference?.length === 6 ? { referenceBlackWhite: reference } : {}),
  };
}

function readValue(view: ByteView, at: number, type: number, le: boolean): number {
  switch (type) {
    case 1:
    case 7:
      return view.getUint8(at);
    case 3:
      return view.getUint16(at, le);
    case 4:
    case 13:
      return view.getUint32(at, le);
    case 5: {
      const d = view.getUint32(at + 4, le);
      return d === 0 ? 0 : view.getUint32(at, le) / d;
    }
    case 11:
      return view.getFloat32(at, le);
    case 12:
      return view.getFloat64(at, le);
    case 16:
    case 18:
      return Number(view.getBigUint64(at, le));
    default:
      return 0;
  }
}

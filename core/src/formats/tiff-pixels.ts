import { open } from 'node:fs/promises';
import type * as GeotiffModule from 'geotiff';
import type { BaseDecoder, GeoTIFF, GeoTIFFImage, Pool } from 'geotiff';
import type { PixelArray, PixelReadOptions } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { FileByteView, type ByteView } from './byte-view.js';
import { corrupt, ioFailure, unsupported } from './format-failure.js';
import { isPixelDtype, LITTLE_ENDIAN_HOST, pixelDataConstructor, shapeSize, type PixelDtype } from './pixel-dtype.js';
import { checkDeclaredBytes, outsideImage } from './plane-image.js';
import { readTiffPageColour, type TiffPageColour } from './tiff-colour-tags.js';
import { readTiffLayout, type TiffLayout } from './tiff-metadata.js';
import { undoHorizontalDifferencing } from './tiff-predictor.js';
import { rawStripRuns, swapSampleBytes, type ByteRun } from './tiff-raw-strips.js';
import { readTiffPageStorage, type TiffPageStorage } from './tiff-structure.js';
import { expandSubsampled, FULL_RANGE_BT601, subsampledBytes, ycbcrConversion, ycbcrToRgb } from './ycbcr.js';

let geotiffLoad: Promise<typeof GeotiffModule> | undefined;
/** geotiff, loaded when pixels are first decoded through it (a command that reads none never parses it). */
const geotiff = (): Promise<typeof GeotiffModule> => (geotiffLoad ??= import('geotiff'));

/**
 * Reads the pixels of a TIFF file, or the planes `options.select` asks for: the axes and shape of
 * {@link readTiffMetadata} (less the selected axes), planes stacked in C order over the leading
 * axes, samples interleaved last. Only the header, the directories and the strips or tiles of the
 * selected pages are read from disk, so the file may be larger than memory. Decoding is geotiff's
 * (classic and BigTIFF, both byte orders, strips, tiles, and its compressions), with two
 * corrections: 8-bit YCbCr pages (PhotometricInterpretation 6) are converted to RGB (see
 * {@link decodePage}), and horizontal differencing of 16- and 32-bit samples in big-endian files is
 * undone in the file's byte order.
 *
 * Throws FormatError `IO` when the file cannot be read, `CORRUPT` when it cannot be decoded,
 * `TOO_LARGE` when the declared size of the selection exceeds `options.maxBytes` (checked before
 * anything is decoded), `UNSUPPORTED` for pixel types outside the eight of {@link PixelArray},
 * compressions geotiff lacks, or planes stored in other files; RangeError for a selection outside
 * the image.
 */
export async function readTiffPixels(path: string, options: PixelReadOptions = {}): Promise<PixelArray> {
  const view = new FileByteView(path);
  let layout: TiffLayout;
  let plan: ReadPlan;
  try {
    layout = readTiffLayout(view, path);
    plan = checkedPlan(layout, path, options, view);
  } finally {
    view.close();
  }
  return decodePlan(
    layout,
    plan,
    path,
    async () => (await geotiff()).fromFile(path),
    (runs, target) => readRunsFromFile(path, runs, target),
  );
}

/** {@link readTiffPixels} for a file already in memory; `path` only names it in errors. */
export async function decodeTiffPixels(bytes: Uint8Array, path: string, options: PixelReadOptions = {}): Promise<PixelArray> {
  const layout = readTiffLayout(bytes, path);
  const plan = checkedPlan(layout, path, options, bytes);
  return decodePlan(
    layout,
    plan,
    path,
    async () => {
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      return (await geotiff()).fromArrayBuffer(whole ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer);
    },
    async (runs, target) => {
      let at = 0;
      for (const run of runs) {
        if (run.offset + run.length > bytes.length) throw corrupt(path, `a strip (${run.length} bytes at ${run.offset}) lies beyond the end of the file`);
        target.set(bytes.subarray(run.offset, run.offset + run.length), at);
        at += run.length;
      }
    },
  );
}

/** Reads `runs` of the file at `path` one after another into `target`. */
async function readRunsFromFile(path: string, runs: readonly ByteRun[], target: Uint8Array): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    let at = 0;
    for (const run of runs) {
      const { bytesRead } = await handle.read(target, at, run.length, run.offset);
      if (bytesRead !== run.length) throw corrupt(path, `a strip (${run.length} bytes at ${run.offset}) lies beyond the end of the file`);
      at += run.length;
    }
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw ioFailure(path, 'read pixels', error);
  } finally {
    await handle?.close();
  }
}

/** The planes a selection reads and the array they fill. */
interface PagePlan {
  readonly shape: number[];
  readonly axes: string;
  /** Page index of each plane to read, in output order. */
  readonly pages: number[];
  readonly planeSize: number;
}

/** A {@link PagePlan} checked against the file, with how each page stores its samples. */
interface ReadPlan extends PagePlan {
  /** How each page read stores its samples, by page index. */
  readonly colours: ReadonlyMap<number, TiffPageColour>;
  /** Where each page read stores its strips or tiles, by page index. */
  readonly storages: ReadonlyMap<number, TiffPageStorage>;
}

/**
 * The pages a read needs, checked before anything is allocated or decoded: the pixel type, the
 * planes present, the declared size against the limit, and each page's declared decoded size
 * against the bytes it stores (see {@link checkStorage}).
 */
function checkedPlan(layout: TiffLayout, path: string, options: PixelReadOptions, bytes: Uint8Array | ByteView): ReadPlan {
  const { metadata, planePages } = layout;
  const { dtype } = metadata;
  if (!isPixelDtype(dtype)) throw unsupported(path, `pixel type ${dtype} cannot be read (supported: uint8/16/32, int8/16/32, float32/64)`);
  const plan = planRead(layout, options.select ?? {});
  const planes = shapeSize(metadata.shape) / plan.planeSize;
  if (planePages.length < planes || planePages[planes - 1]! >= metadata.pages) {
    throw unsupported(
      path,
      `the metadata describes ${planes} planes but the file holds ${metadata.pages} pages (multi-file or truncated datasets are not supported)`,
    );
  }
  checkDeclaredBytes(path, plan.shape, dtype, plan.axes, options.maxBytes);
  const pages = [...new Set(plan.pages)];
  const colours = new Map(pages.map((page) => [page, readTiffPageColour(bytes, path, layout.structure, page)]));
  const storages = new Map<number, TiffPageStorage>();
  readTiffPageStorage(bytes, path, layout.structure, pages).forEach((storage, i) => {
    checkStorage(path, pages[i]!, storage, colours.get(pages[i]!)!);
    storages.set(pages[i]!, storage);
  });
  return { ...plan, colours, storages };
}

/**
 * The most a stored byte can expand to, by TIFF compression: none 1, PackBits 128 (2 bytes for
 * 128 repeats), deflate 1032 (the format's limit), LZW 3641 (a 9-bit code for up to 4096 bytes).
 * Other compressions (JPEG, zstd…) are not bounded here.
 */
const MAX_EXPANSION: Readonly<Record<number, number>> = { 1: 1, 32773: 128, 8: 1032, 32946: 1032, 5: 3641 };

/**
 * CORRUPT when a page declares more decoded bytes than its stored bytes can expand to under its
 * compression. Chroma-subsampled YCbCr stores fewer bytes than its full-resolution geometry: its
 * declared size is scaled down accordingly (a lower bound; each strip or tile is checked exactly
 * when it is expanded).
 */
function checkStorage(path: string, page: number, declared: TiffPageStorage, colour: TiffPageColour): void {
  const ratio = MAX_EXPANSION[declared.compression];
  if (ratio === undefined) return;
  const [h, v] = colour.subsampling;
  const subsampled = isSubsampledYCbCr(colour);
  const storage = subsampled ? { ...declared, decodedBytes: Math.floor((declared.decodedBytes * (h * v + 2)) / (3 * h * v)) } : declared;
  if (storage.compression === 1) {
    if (storage.storedBytes >= storage.decodedBytes) return;
    throw corrupt(
      path,
      `page ${page} declares ${storage.decodedBytes} bytes of uncompressed pixels${subsampled ? ` (YCbCr subsampled ${h}×${v})` : ''} but its ${storage.blocks} strip(s) or tile(s) hold ${storage.storedBytes} (truncated, or a header that lies)`,
      { page },
    );
  }
  const ceiling = storage.storedBytes * ratio + storage.blocks * 1024;
  if (storage.decodedBytes <= ceiling) return;
  throw corrupt(
    path,
    `page ${page} declares ${storage.decodedBytes} decoded bytes, more than its ${storage.storedBytes} stored bytes can hold under compression ${storage.compression} (at most ${ceiling}): a header that lies`,
    { page },
  );
}

/**
 * Fills the plan's array: pages stored as plain samples ({@link rawStripRuns}) are read straight
 * into it (byte order fixed), the others are decoded by geotiff, opened only if one needs it.
 */
async function decodePlan(
  layout: TiffLayout,
  plan: ReadPlan,
  path: string,
  openTiff: () => Promise<GeoTIFF>,
  readRuns: (runs: readonly ByteRun[], target: Uint8Array) => Promise<void>,
): Promise<PixelArray> {
  const { metadata } = layout;
  const dtype = metadata.dtype as PixelDtype;
  const data = new (pixelDataConstructor(dtype))(plan.pages.length * plan.planeSize);
  const sampleBytes = data.BYTES_PER_ELEMENT;
  const planeBytes = plan.planeSize * sampleBytes;
  const decoded: number[] = [];
  for (const [i, page] of plan.pages.entries()) {
    const runs = rawStripRuns(plan.storages.get(page)!, plan.colours.get(page)!, planeBytes, sampleBytes);
    if (runs === undefined) {
      decoded.push(i);
      continue;
    }
    const target = new Uint8Array(data.buffer, data.byteOffset + i * planeBytes, planeBytes);
    await readRuns(runs, target);
    if (layout.structure.littleEndian !== LITTLE_ENDIAN_HOST) swapSampleBytes(target, sampleBytes);
  }
  let tiff: GeoTIFF | undefined;
  try {
    if (decoded.length > 0) tiff = await openTiff();
    for (const i of decoded) {
      const page = plan.pages[i]!;
      const image = await tiff!.getImage(page);
      const raster = await decodePage(image, plan.colours.get(page)!, layout.structure.littleEndian, path, page);
      if (raster.length !== plan.planeSize) throw corrupt(path, `page ${page} decodes to ${raster.length} values, expected ${plan.planeSize}`);
      data.set(raster, i * plan.planeSize);
    }
  } catch (error) {
    if (error instanceof FormatError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    const code = /compression|not supported|unsupported/i.test(why) ? 'UNSUPPORTED' : 'CORRUPT';
    throw new FormatError(code, `${path}: cannot decode pixels: ${why}`, { cause: error, details: { path } });
  } finally {
    await tiff?.close?.();
  }
  const physicalSize = metadata.physicalSize;
  return { data, shape: plan.shape, dtype, axes: plan.axes, ...(physicalSize ? { physicalSize } : {}) };
}

/** Whether a page is 8-bit YCbCr whose chroma is stored subsampled (not JPEG, which geotiff expands itself). */
function isSubsampledYCbCr(colour: TiffPageColour): boolean {
  const [h, v] = colour.subsampling;
  return colour.photometric === 6 && colour.compression !== 7 && colour.samplesPerPixel === 3 && (h !== 1 || v !== 1);
}

/**
 * One page's samples, interleaved. geotiff returns stored samples as they are, so YCbCr pages are
 * converted here: JPEG-compressed ones (geotiff's JPEG decoder yields the YCbCr components, chroma
 * already upsampled) with JPEG's full-range BT.601, as libtiff does; others with the page's
 * YCbCrCoefficients and ReferenceBlackWhite (libtiff's defaults when absent), subsampled chroma
 * expanded first ({@link readSubsampled}). YCbCr that is not 8-bit with 3 samples is UNSUPPORTED.
 */
async function decodePage(image: GeoTIFFImage, colour: TiffPageColour, littleEndian: boolean, path: string, page: number): Promise<ArrayLike<number>> {
  if (colour.photometric === 6) {
    if (colour.bitsPerSample !== 8 || colour.samplesPerPixel !== 3) {
      throw unsupported(
        path,
        `page ${page} is YCbCr with ${colour.samplesPerPixel} samples of ${colour.bitsPerSample} bits (only 8-bit Y, Cb, Cr is converted)`,
        {
          page,
        },
      );
    }
    const jpeg = colour.compression === 7;
    const samples = isSubsampledYCbCr(colour)
      ? await readSubsampled(image, colour, path, page)
      : ((await image.readRasters({ interleave: true })) as Uint8Array);
    ycbcrToRgb(samples, jpeg ? FULL_RANGE_BT601 : ycbcrConversion(colour.coefficients, colour.referenceBlackWhite));
    return samples;
  }
  if (colour.predictor === 2 && !littleEndian && colour.bitsPerSample > 8) {
    return image.readRasters({ interleave: true, pool: bigEndianPredictorPool(colour, image) });
  }
  return image.readRasters({ interleave: true });
}

/**
 * A stand-in for geotiff's decoder pool: geotiff's decoder for the compression, without its
 * predictor step; horizontal differencing is undone here in big-endian byte order.
 */
function bigEndianPredictorPool(colour: TiffPageColour, image: GeoTIFFImage): Pool {
  const block = {
    width: image.getTileWidth(),
    samples: colour.planar === 2 ? 1 : colour.samplesPerPixel,
    bytesPerSample: colour.bitsPerSample / 8,
    littleEndian: false,
  };
  const bindParameters = (compression: number, parameters: Parameters<typeof GeotiffModule.getDecoder>[1]): Pick<BaseDecoder, 'decode'> => {
    const inner = geotiff().then((g) => g.getDecoder(compression, { ...parameters, predictor: 1 }));
    return {
      decode: async (buffer: ArrayBufferLike) => {
        const decoded = await (await inner).decode(buffer);
        undoHorizontalDifferencing(decoded, block);
        return decoded;
      },
    };
  };
  return { bindParameters } as unknown as Pool;
}

/**
 * The pixels of a YCbCr page with subsampled chroma, as full-resolution Y, Cb, Cr triplets: each
 * strip or tile decompressed by geotiff's decoder and its data units expanded. UNSUPPORTED with
 * separate planes or a predictor; CORRUPT when a strip or tile holds fewer bytes than its units.
 */
async function readSubsampled(image: GeoTIFFImage, colour: TiffPageColour, path: string, page: number): Promise<Uint8Array> {
  const [h, v] = colour.subsampling;
  if (colour.planar !== 1 || colour.predictor !== 1) {
    const why = colour.planar === 1 ? `predictor ${colour.predictor}` : 'separate planes';
    throw unsupported(path, `page ${page} is YCbCr subsampled ${h}×${v} with ${why} (not supported)`, { page });
  }
  const width = image.getWidth();
  const height = image.getHeight();
  const tileWidth = image.getTileWidth();
  const tileHeight = image.getTileHeight();
  const across = Math.ceil(width / tileWidth);
  const decoder = await (
    await geotiff()
  ).getDecoder(colour.compression, { tileWidth, tileHeight, planarConfiguration: 1, bitsPerSample: [8, 8, 8], predictor: 1 });
  const out = new Uint8Array(width * height * 3);
  for (let ty = 0; ty < Math.ceil(height / tileHeight); ty++) {
    for (let tx = 0; tx < across; tx++) {
      const rows = image.getBlockHeight(ty);
      const { data } = await image.getTileOrStrip(tx, ty, 0, decoder);
      let block: Uint8Array;
      try {
        block = expandSubsampled(new Uint8Array(data), tileWidth, rows, h, v);
      } catch (error) {
        const what = `${image.isTiled ? 'tile' : 'strip'} ${ty * across + tx}`;
        throw corrupt(path, `page ${page}, ${what}: ${(error as Error).message}`, { page, expected: subsampledBytes(tileWidth, rows, h, v) });
      }
      const x0 = tx * tileWidth;
      const y0 = ty * tileHeight;
      const copyWidth = Math.min(tileWidth, width - x0);
      for (let y = 0; y < rows && y0 + y < height; y++) {
        out.set(block.subarray(y * tileWidth * 3, (y * tileWidth + copyWidth) * 3), ((y0 + y) * width + x0) * 3);
      }
    }
  }
  return out;
}

/** Which pages a selection reads and the shape it yields; RangeError for an index outside the image. */
function planRead(layout: TiffLayout, select: Readonly<Partial<Record<'T' | 'C' | 'Z', number>>>): PagePlan {
  const { shape, axes } = layout.metadata;
  const planeAxes = axes.indexOf('Y');
  const planeSize = shapeSize(shape.slice(planeAxes));
  for (const [axis, index] of Object.entries(select)) {
    if (index === undefined) continue;
    const at = axes.indexOf(axis);
    const size = at < 0 || at >= planeAxes ? 1 : shape[at]!;
    if (!Number.isInteger(index) || index < 0 || index >= size) throw outsideImage(axis, index, size);
  }
  const leading = shape.slice(0, planeAxes);
  const ranges = leading.map((size, i) => {
    const index = select[axes[i] as 'T' | 'C' | 'Z'];
    return index === undefined ? { from: 0, count: size } : { from: index, count: 1 };
  });
  const kept = leading.flatMap((size, i) => (select[axes[i] as 'T' | 'C' | 'Z'] === undefined ? [i] : []));
  const pages: number[] = [];
  const counter = ranges.map((r) => r.from);
  const total = shapeSize(ranges.map((r) => r.count));
  for (let n = 0; n < total; n++) {
    let plane = 0;
    for (let i = 0; i < leading.length; i++) plane = plane * leading[i]! + counter[i]!;
    pages.push(layout.planePages[plane]!);
    for (let i = leading.length - 1; i >= 0; i--) {
      if (++counter[i]! < ranges[i]!.from + ranges[i]!.count) break;
      counter[i] = ranges[i]!.from;
    }
  }
  return {
    shape: [...kept.map((i) => leading[i]!), ...shape.slice(planeAxes)],
    axes: kept.map((i) => axes[i]).join('') + axes.slice(planeAxes),
    pages,
    planeSize,
  };
}

import { fromArrayBuffer, fromFile, type GeoTIFF } from 'geotiff';
import type { PixelArray, PixelReadOptions } from '../extension-points/format-codec.js';
import { FormatError } from '../errors/area-errors.js';
import { corrupt, unsupported } from './format-failure.js';
import { bytesPerSample, isPixelDtype, pixelDataConstructor, shapeSize, type PixelDtype } from './pixel-dtype.js';
import { defaultMaxPixelBytes, formatBytes, MAX_PIXEL_BYTES_VARIABLE } from './pixel-limits.js';
import { FileByteView, type ByteView } from './byte-view.js';
import { readTiffLayout, type TiffLayout } from './tiff-metadata.js';
import { readTiffPageStorage, type TiffPageStorage } from './tiff-structure.js';

/**
 * Reads the pixels of a TIFF file, or the planes `options.select` asks for: the axes and shape of
 * {@link readTiffMetadata} (less the selected axes), planes stacked in C order over the leading
 * axes, samples interleaved last. Only the header, the directories and the strips or tiles of the
 * selected pages are read from disk, so the file may be larger than memory. Decoding is geotiff's
 * (classic and BigTIFF, both byte orders, strips, tiles, and its compressions).
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
  return decodePlan(layout, plan, path, () => fromFile(path));
}

/** {@link readTiffPixels} for a file already in memory; `path` only names it in errors. */
export async function decodeTiffPixels(bytes: Uint8Array, path: string, options: PixelReadOptions = {}): Promise<PixelArray> {
  const layout = readTiffLayout(bytes, path);
  const plan = checkedPlan(layout, path, options, bytes);
  return decodePlan(layout, plan, path, () => {
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
    return fromArrayBuffer(whole ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer);
  });
}

/** The planes one read decodes and the array they fill. */
interface ReadPlan {
  readonly shape: number[];
  readonly axes: string;
  /** Page index of each plane to read, in output order. */
  readonly pages: number[];
  readonly planeSize: number;
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
  checkSize(path, plan, dtype, options.maxBytes ?? defaultMaxPixelBytes());
  const pages = [...new Set(plan.pages)];
  readTiffPageStorage(bytes, path, layout.structure, pages).forEach((storage, i) => checkStorage(path, pages[i]!, storage));
  return plan;
}

/**
 * The most a stored byte can expand to, by TIFF compression: none 1, PackBits 128 (2 bytes for
 * 128 repeats), deflate 1032 (the format's limit), LZW 3641 (a 9-bit code for up to 4096 bytes).
 * Other compressions (JPEG, zstd…) are not bounded here.
 */
const MAX_EXPANSION: Readonly<Record<number, number>> = { 1: 1, 32773: 128, 8: 1032, 32946: 1032, 5: 3641 };

/** CORRUPT when a page declares more decoded bytes than its stored bytes can expand to under its compression. */
function checkStorage(path: string, page: number, storage: TiffPageStorage): void {
  const ratio = MAX_EXPANSION[storage.compression];
  if (ratio === undefined) return;
  if (storage.compression === 1) {
    if (storage.storedBytes >= storage.decodedBytes) return;
    throw corrupt(
      path,
      `page ${page} declares ${storage.decodedBytes} bytes of uncompressed pixels but its ${storage.blocks} strip(s) or tile(s) hold ${storage.storedBytes} (truncated, or a header that lies)`,
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

async function decodePlan(layout: TiffLayout, plan: ReadPlan, path: string, open: () => Promise<GeoTIFF>): Promise<PixelArray> {
  const { metadata } = layout;
  const dtype = metadata.dtype as PixelDtype;
  const data = new (pixelDataConstructor(dtype))(plan.pages.length * plan.planeSize);
  let tiff: GeoTIFF | undefined;
  try {
    tiff = await open();
    for (const [i, page] of plan.pages.entries()) {
      const image = await tiff.getImage(page);
      const raster = await image.readRasters({ interleave: true });
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

/** TOO_LARGE when the selection's declared decoded size exceeds `maxBytes`. */
function checkSize(path: string, plan: ReadPlan, dtype: PixelDtype, maxBytes: number): void {
  const bytes = plan.pages.length * plan.planeSize * bytesPerSample(dtype);
  if (bytes <= maxBytes) return;
  const what = `${plan.shape.join('×')} ${dtype} (${plan.axes})`;
  throw new FormatError(
    'TOO_LARGE',
    `${path}: reading it needs ${formatBytes(bytes)} of pixels for ${what}, over the ${formatBytes(maxBytes)} limit of this read ` +
      `(a decompression bomb, or an image to read by parts; the default limit is set by ${MAX_PIXEL_BYTES_VARIABLE})`,
    { details: { path, bytes, maxBytes } },
  );
}

/** Which pages a selection reads and the shape it yields; RangeError for an index outside the image. */
function planRead(layout: TiffLayout, select: Readonly<Partial<Record<'T' | 'C' | 'Z', number>>>): ReadPlan {
  const { shape, axes } = layout.metadata;
  const planeAxes = axes.indexOf('Y');
  const planeSize = shapeSize(shape.slice(planeAxes));
  for (const [axis, index] of Object.entries(select)) {
    if (index === undefined) continue;
    const at = axes.indexOf(axis);
    const size = at < 0 || at >= planeAxes ? 1 : shape[at]!;
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`${axis}=${index} is outside the image (${axis} has ${size} plane${size === 1 ? '' : 's'}: 0..${size - 1})`);
    }
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

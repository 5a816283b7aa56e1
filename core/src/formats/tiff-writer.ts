import type { PixelArray } from '../extension-points/format-codec.js';
import type { ChannelMetadata } from '../model/data-item.js';
import { isHexColor } from './channel-color.js';
import { concatBytes } from '../util/bytes.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ioFailure, unsupported } from './format-failure.js';
import { buildOmeXml } from './ome-xml.js';
import { bytesPerSample, isPixelDtype, pixelDataConstructor, shapeSize, tiffSampleFormat, LITTLE_ENDIAN_HOST, type PixelDtype } from './pixel-dtype.js';
import { align8, asciiField, ifdBlock, ifdBlockSize, longField, rationalField, shortField, type TiffField } from './tiff-ifd-builder.js';
import { Tag } from './tiff-tags.js';

/** Options of {@link encodeTiff} and {@link writeTiff}. */
export interface TiffWriteOptions {
  /** Write OME-XML (sizes, DimensionOrder from the axes, physical sizes) into the first page's ImageDescription. */
  readonly ome?: boolean;
  /** Write a BigTIFF (64-bit offsets). Default: only when a classic TIFF would pass 4 GiB. */
  readonly bigtiff?: boolean;
  /**
   * ImageDescription of the first page when not `ome` (default: tifffile-style JSON with shape,
   * axes and physical sizes, which keeps any shape and axes across a round trip). With `ome`, it
   * becomes the OME Image's Description.
   */
  readonly description?: string;
  /**
   * Per channel name, colour (`#rrggbb`) and wavelengths, one entry per position of the `C` axis
   * (one entry when there is no `C` axis). Written as OME `Channel` elements with `ome`, else into
   * the JSON description (not with a caller's `description`); read back as metadata `channels`.
   */
  readonly channels?: readonly ChannelMetadata[];
}

const CLASSIC_LIMIT = 0xffff_ffff;

/**
 * Encodes pixels as an uncompressed little-endian TIFF, one page (one strip) per YX plane, pages in
 * C order over the leading axes; `S` (last) becomes interleaved samples, RGB when 3 or 4 samples of
 * uint8/uint16. Throws FormatError `UNSUPPORTED` for an inconsistent pixel array or axes that do not
 * end in `YX`/`YXS`.
 */
export function encodeTiff(pixels: PixelArray, options: TiffWriteOptions = {}): Uint8Array {
  return concatBytes(encodeTiffParts(pixels, options, '<memory>'));
}

/**
 * Writes pixels to `path` as TIFF (see {@link encodeTiff}) atomically: a temporary file in the same
 * folder renamed over `path`. Pixel data is written straight from `pixels.data`, not copied.
 * Throws FormatError `UNSUPPORTED` (bad pixel array) or `IO`, naming `path`.
 */
export async function writeTiff(path: string, pixels: PixelArray, options: TiffWriteOptions = {}): Promise<void> {
  const parts = encodeTiffParts(pixels, options, path);
  await writeFileAtomic(path, parts, { fsync: false }).catch((error: unknown) => {
    throw ioFailure(path, 'write file', error);
  });
}

/** The file as consecutive byte ranges: header, first IFD, the pixel bytes (not copied), other IFDs. */
export function encodeTiffParts(pixels: PixelArray, options: TiffWriteOptions, path: string): Uint8Array[] {
  const plan = planTiffFile(pixels, options, path);
  const { data } = pixels;
  if (!(data instanceof pixelDataConstructor(pixels.dtype))) {
    throw unsupported(path, `pixel data is a ${data.constructor.name}, not the array of dtype ${pixels.dtype}`);
  }
  const values = plan.planes * plan.planeValues;
  if (values !== data.length) throw unsupported(path, `shape [${pixels.shape.join(', ')}] needs ${values} values, the data has ${data.length}`);
  const parts = [plan.head, littleEndianBytes(data)];
  if (plan.tail.byteLength > 0) parts.push(plan.tail);
  return parts;
}

/** An image as the TIFF writer lays it out: everything but the pixel values. */
export interface TiffImageShape {
  readonly shape: readonly number[];
  readonly dtype: PixelDtype;
  /** Distinct letters from `TCZ`, then `YX` or `YXS`. */
  readonly axes: string;
  readonly physicalSize?: PixelArray['physicalSize'];
}

/**
 * Where every byte of a TIFF goes, known from the declared image alone: `head` (header and first
 * IFD) at offset 0, plane `i` (one strip, pages in C order) at `head.byteLength + i * planeBytes`,
 * then `tail` (alignment padding and the IFDs of the other pages) at `tailOffset`, ending the file.
 */
export interface TiffFilePlan {
  readonly bigtiff: boolean;
  /** Pages: one per YX(S) plane. */
  readonly planes: number;
  /** Samples in one plane (height × width × samples per pixel). */
  readonly planeValues: number;
  /** Bytes of one plane. */
  readonly planeBytes: number;
  readonly head: Uint8Array;
  readonly tail: Uint8Array;
  readonly tailOffset: number;
}

/**
 * Lays out the TIFF that {@link encodeTiff} writes for `image` (same description, IFDs and BigTIFF
 * rule, decided from the declared size). Shared by {@link encodeTiffParts} and the plane writer.
 * Throws FormatError `UNSUPPORTED` naming `path` for a dtype, shape, axes or channels it cannot write.
 */
export function planTiffFile(image: TiffImageShape, options: TiffWriteOptions, path: string): TiffFilePlan {
  const { height, width, samples, pages } = geometry(image, path);
  const channels = options.channels && checkedChannels(image, options.channels, path);
  const bps = bytesPerSample(image.dtype);
  const planeValues = height * width * samples;
  const planeBytes = planeValues * bps;
  const dataBytes = pages * planeBytes;
  const description = options.ome
    ? buildOmeXml({ ...image, ...(options.description ? { description: options.description } : {}), ...(channels && { channels }) })
    : (options.description ?? shapedDescription(image, channels));
  const estimate = dataBytes + pages * 512 + description.length * 3 + 64;
  const bigtiff = options.bigtiff ?? estimate > CLASSIC_LIMIT;
  if (!bigtiff && estimate > CLASSIC_LIMIT) throw unsupported(path, `${dataBytes} bytes of pixels need a BigTIFF (options.bigtiff is false)`);

  const header = new Uint8Array(bigtiff ? 16 : 8);
  const hv = new DataView(header.buffer);
  header.set([0x49, 0x49]);
  hv.setUint16(2, bigtiff ? 43 : 42, true);
  if (bigtiff) {
    hv.setUint16(4, 8, true);
    hv.setBigUint64(8, 16n, true);
  } else {
    hv.setUint32(4, 8, true);
  }

  const sampleFormat = tiffSampleFormat(image.dtype);
  const rgb = samples >= 3 && samples <= 4 && (image.dtype === 'uint8' || image.dtype === 'uint16');
  const extra = samples - (rgb ? 3 : 1);
  const fieldsAt = (page: number, stripOffset: number): TiffField[] => {
    const fields = [
      longField(Tag.NewSubfileType, [0]),
      longField(Tag.ImageWidth, [width]),
      longField(Tag.ImageLength, [height]),
      shortField(Tag.BitsPerSample, Array<number>(samples).fill(bps * 8)),
      shortField(Tag.Compression, [1]),
      shortField(Tag.PhotometricInterpretation, [rgb ? 2 : 1]),
      longField(Tag.StripOffsets, [stripOffset], bigtiff),
      shortField(Tag.SamplesPerPixel, [samples]),
      longField(Tag.RowsPerStrip, [height]),
      longField(Tag.StripByteCounts, [planeBytes], bigtiff),
      shortField(Tag.PlanarConfiguration, [1]),
      shortField(Tag.SampleFormat, Array<number>(samples).fill(sampleFormat)),
    ];
    if (page === 0) fields.push(asciiField(Tag.ImageDescription, description), asciiField(Tag.Software, 'BioImageIT'));
    if (extra > 0) fields.push(shortField(Tag.ExtraSamples, Array<number>(extra).fill(0)));
    const { x, y } = image.physicalSize ?? {};
    if (x && y) {
      fields.push(rationalField(Tag.XResolution, 1 / x.value), rationalField(Tag.YResolution, 1 / y.value), shortField(Tag.ResolutionUnit, [1]));
    }
    return fields;
  };

  // Layout: header, first IFD, all pixel data contiguous (as tifffile writes it, whose readers
  // rely on it), then the IFDs of the other pages back to back.
  const dataStart = header.byteLength + ifdBlockSize(fieldsAt(0, 0), bigtiff);
  const dataEnd = dataStart + dataBytes;
  const tailStart = align8(dataEnd);
  const tailBlockSize = pages > 1 ? ifdBlockSize(fieldsAt(1, 0), bigtiff) : 0;
  const ifdAt = (page: number): number => (page === 0 ? header.byteLength : tailStart + (page - 1) * tailBlockSize);
  const nextOf = (page: number): number => (page === pages - 1 ? 0 : ifdAt(page + 1));
  const head = new Uint8Array(dataStart);
  head.set(header);
  head.set(ifdBlock(fieldsAt(0, dataStart), ifdAt(0), nextOf(0), bigtiff), header.byteLength);
  const tail = new Uint8Array(pages > 1 ? tailStart - dataEnd + (pages - 1) * tailBlockSize : 0);
  for (let page = 1, at = tailStart - dataEnd; page < pages; page++, at += tailBlockSize) {
    tail.set(ifdBlock(fieldsAt(page, dataStart + page * planeBytes), ifdAt(page), nextOf(page), bigtiff), at);
  }
  return { bigtiff, planes: pages, planeValues, planeBytes, head, tail, tailOffset: dataEnd };
}

function geometry(image: TiffImageShape, path: string): { height: number; width: number; samples: number; pages: number } {
  const { shape, axes, dtype } = image;
  if (!isPixelDtype(dtype)) throw unsupported(path, `cannot write pixels of dtype '${String(dtype)}'`);
  if (shape.length !== axes.length) throw unsupported(path, `shape [${shape.join(', ')}] does not match axes '${axes}'`);
  if (!/^[TCZ]*YXS?$/.test(axes) || new Set(axes).size !== axes.length) {
    throw unsupported(path, `axes '${axes}' cannot be written as TIFF: expected distinct letters from TCZ, then YX or YXS`);
  }
  if (!shape.every((n) => Number.isInteger(n) && n > 0)) throw unsupported(path, `shape [${shape.join(', ')}] has a size that is not a positive integer`);
  const y = axes.indexOf('Y');
  const samples = axes.endsWith('S') ? shape[shape.length - 1]! : 1;
  if (samples > 0xffff) throw unsupported(path, `${samples} samples per pixel is more than TIFF allows`);
  return { height: shape[y]!, width: shape[y + 1]!, samples, pages: shapeSize(shape.slice(0, y)) };
}

/**
 * `channels` when they fit the pixels: one entry per C position, colours `#rrggbb`, wavelengths
 * positive. Throws FormatError `UNSUPPORTED` naming `path` and the channel otherwise.
 */
function checkedChannels(pixels: TiffImageShape, channels: readonly ChannelMetadata[], path: string): readonly ChannelMetadata[] {
  const c = pixels.axes.indexOf('C');
  const count = c === -1 ? 1 : pixels.shape[c]!;
  if (channels.length !== count) {
    throw unsupported(
      path,
      `${channels.length} channel descriptions given for ${count} channel(s) (axes '${pixels.axes}', shape [${pixels.shape.join(', ')}])`,
    );
  }
  channels.forEach((channel, i) => {
    const culprit = `channel ${i}${channel.name !== undefined ? ` ('${channel.name}')` : ''}`;
    if (channel.color !== undefined && !isHexColor(channel.color))
      throw unsupported(path, `${culprit} has colour ${JSON.stringify(channel.color)}, not #rrggbb`);
    for (const kind of ['excitation', 'emission'] as const) {
      const w = channel[kind];
      if (w !== undefined && !(Number.isFinite(w.value) && w.value > 0 && typeof w.unit === 'string' && w.unit !== '')) {
        throw unsupported(path, `${culprit} has ${kind} wavelength ${JSON.stringify(w)}: expected a positive value with a unit`);
      }
    }
  });
  return channels;
}

/** The tifffile-style JSON description; non-ASCII characters escaped so the tag stays 7-bit. */
function shapedDescription(pixels: TiffImageShape, channels: readonly ChannelMetadata[] | undefined): string {
  const json = JSON.stringify({
    shape: pixels.shape,
    axes: pixels.axes,
    ...(pixels.physicalSize ? { physicalSize: pixels.physicalSize } : {}),
    ...(channels ? { channels } : {}),
  });
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The bytes of `data` in little-endian order: a view of them on a little-endian host, else a swapped copy. */
export function littleEndianBytes(data: PixelArray['data']): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN_HOST || size === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) swapped[i + k] = bytes[i + size - 1 - k]!;
  return swapped;
}

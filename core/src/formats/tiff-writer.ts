import type { PixelArray } from '../extension-points/format-codec.js';
import type { ChannelMetadata } from '../model/data-item.js';
import { isHexColor } from './channel-color.js';
import { concatBytes } from '../util/bytes.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ioFailure, unsupported } from './format-failure.js';
import { buildOmeXml } from './ome-xml.js';
import { bytesPerSample, isPixelDtype, pixelDataConstructor, shapeSize, tiffSampleFormat, LITTLE_ENDIAN_HOST } from './pixel-dtype.js';
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
  const { height, width, samples, pages } = geometry(pixels, path);
  const channels = options.channels && checkedChannels(pixels, options.channels, path);
  const data = littleEndianBytes(pixels.data);
  const bps = bytesPerSample(pixels.dtype);
  const planeBytes = height * width * samples * bps;
  const description = options.ome
    ? buildOmeXml({ ...pixels, ...(options.description ? { description: options.description } : {}), ...(channels && { channels }) })
    : (options.description ?? shapedDescription(pixels, channels));
  const estimate = data.byteLength + pages * 512 + description.length * 3 + 64;
  const bigtiff = options.bigtiff ?? estimate > CLASSIC_LIMIT;
  if (!bigtiff && estimate > CLASSIC_LIMIT) throw unsupported(path, `${data.byteLength} bytes of pixels need a BigTIFF (options.bigtiff is false)`);

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

  const sampleFormat = tiffSampleFormat(pixels.dtype);
  const rgb = samples >= 3 && samples <= 4 && (pixels.dtype === 'uint8' || pixels.dtype === 'uint16');
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
    const { x, y } = pixels.physicalSize ?? {};
    if (x && y) {
      fields.push(rationalField(Tag.XResolution, 1 / x.value), rationalField(Tag.YResolution, 1 / y.value), shortField(Tag.ResolutionUnit, [1]));
    }
    return fields;
  };

  // Layout: header, first IFD, all pixel data contiguous (as tifffile writes it, whose readers
  // rely on it), then the IFDs of the other pages back to back.
  const dataStart = header.byteLength + ifdBlockSize(fieldsAt(0, 0), bigtiff);
  const tailStart = align8(dataStart + data.byteLength);
  const tailBlockSize = pages > 1 ? ifdBlockSize(fieldsAt(1, 0), bigtiff) : 0;
  const ifdAt = (page: number): number => (page === 0 ? header.byteLength : tailStart + (page - 1) * tailBlockSize);
  const nextOf = (page: number): number => (page === pages - 1 ? 0 : ifdAt(page + 1));
  const parts: Uint8Array[] = [header, ifdBlock(fieldsAt(0, dataStart), ifdAt(0), nextOf(0), bigtiff), data];
  if (pages > 1) {
    const tail = new Uint8Array(tailStart - dataStart - data.byteLength + (pages - 1) * tailBlockSize);
    let at = tailStart - dataStart - data.byteLength;
    for (let page = 1; page < pages; page++, at += tailBlockSize) {
      tail.set(ifdBlock(fieldsAt(page, dataStart + page * planeBytes), ifdAt(page), nextOf(page), bigtiff), at);
    }
    parts.push(tail);
  }
  return parts;
}

function geometry(pixels: PixelArray, path: string): { height: number; width: number; samples: number; pages: number } {
  const { shape, axes, dtype, data } = pixels;
  if (!isPixelDtype(dtype)) throw unsupported(path, `cannot write pixels of dtype '${String(dtype)}'`);
  if (!(data instanceof pixelDataConstructor(dtype))) throw unsupported(path, `pixel data is a ${data.constructor.name}, not the array of dtype ${dtype}`);
  if (shape.length !== axes.length) throw unsupported(path, `shape [${shape.join(', ')}] does not match axes '${axes}'`);
  if (!/^[TCZ]*YXS?$/.test(axes) || new Set(axes).size !== axes.length) {
    throw unsupported(path, `axes '${axes}' cannot be written as TIFF: expected distinct letters from TCZ, then YX or YXS`);
  }
  if (!shape.every((n) => Number.isInteger(n) && n > 0)) throw unsupported(path, `shape [${shape.join(', ')}] has a size that is not a positive integer`);
  if (shapeSize(shape) !== data.length) throw unsupported(path, `shape [${shape.join(', ')}] needs ${shapeSize(shape)} values, the data has ${data.length}`);
  const y = axes.indexOf('Y');
  const samples = axes.endsWith('S') ? shape[shape.length - 1]! : 1;
  if (samples > 0xffff) throw unsupported(path, `${samples} samples per pixel is more than TIFF allows`);
  return { height: shape[y]!, width: shape[y + 1]!, samples, pages: shapeSize(shape.slice(0, y)) };
}

/**
 * `channels` when they fit the pixels: one entry per C position, colours `#rrggbb`, wavelengths
 * positive. Throws FormatError `UNSUPPORTED` naming `path` and the channel otherwise.
 */
function checkedChannels(pixels: PixelArray, channels: readonly ChannelMetadata[], path: string): readonly ChannelMetadata[] {
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
function shapedDescription(pixels: PixelArray, channels: readonly ChannelMetadata[] | undefined): string {
  const json = JSON.stringify({
    shape: pixels.shape,
    axes: pixels.axes,
    ...(pixels.physicalSize ? { physicalSize: pixels.physicalSize } : {}),
    ...(channels ? { channels } : {}),
  });
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function littleEndianBytes(data: PixelArray['data']): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const size = data.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN_HOST || size === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) for (let k = 0; k < size; k++) swapped[i + k] = bytes[i + size - 1 - k]!;
  return swapped;
}

import { memoryByteView, type ByteView } from './byte-view.js';
import { corrupt } from './format-failure.js';
import { fieldTypeSize, Tag } from './tiff-tags.js';

/** What the metadata reader needs from one TIFF page (image file directory). */
export interface TiffPage {
  readonly width: number;
  readonly height: number;
  readonly samplesPerPixel: number;
  readonly bitsPerSample: number;
  /** 1 unsigned, 2 signed, 3 float (TIFF SampleFormat). */
  readonly sampleFormat: number;
  readonly compression: number;
  readonly photometric: number | undefined;
  /** NewSubfileType; bit 0 marks a reduced-resolution copy (thumbnail, pyramid level). */
  readonly subfileType: number;
  readonly description: string | undefined;
  /** Pixels per resolution unit, when the tags are present and non-zero. */
  readonly xResolution: number | undefined;
  readonly yResolution: number | undefined;
  /** 1 none, 2 inch (the TIFF default), 3 centimetre. */
  readonly resolutionUnit: number;
  readonly resolutionUnitGiven: boolean;
  /**
   * ImageJ's IJMetadata (tag 50839, at most its first {@link MAX_IJ_METADATA_BYTES} bytes) with its
   * byte counts (tag 50838), when both tags are present.
   */
  readonly imagejMetadata?: { readonly byteCounts: readonly number[]; readonly data: Uint8Array };
}

/** The parsed header and IFD chain of a TIFF file; pixels are not touched. */
export interface TiffStructure {
  readonly littleEndian: boolean;
  readonly bigtiff: boolean;
  /** Number of pages in the main IFD chain. */
  readonly pageCount: number;
  /** The first page, fully parsed. */
  readonly first: TiffPage;
  /** Indexes of the pages with the first page's geometry that are not reduced-resolution copies. */
  readonly planePages: readonly number[];
  /** File offset of each page's IFD. */
  readonly ifdOffsets: readonly number[];
}

/** How one page's pixels are stored: what the decoder will be asked to produce, and from how many bytes. */
export interface TiffPageStorage {
  readonly compression: number;
  /** Bytes the page's strips or tiles decode to, by its declared geometry (tiles counted whole). */
  readonly decodedBytes: number;
  /** Sum of its StripByteCounts or TileByteCounts. */
  readonly storedBytes: number;
  /** Number of strips or tiles. */
  readonly blocks: number;
  /** True when the page is stored in tiles, false in strips. */
  readonly tiled: boolean;
  /** File offset and stored length of each strip or tile. */
  readonly offsets: readonly number[];
  readonly counts: readonly number[];
}

/** How much of the IJMetadata tag is read: its LUTs come before ROIs and overlays, which may be large. */
export const MAX_IJ_METADATA_BYTES = 1 << 20;

/** More pages than this means a hostile or broken IFD chain. */
const MAX_PAGES = 10_000_000;
const utf8 = new TextDecoder('utf-8');

/**
 * Parses the header and the IFD chain of a classic TIFF or BigTIFF in either byte order, reading
 * only the tags metadata needs. Throws FormatError `CORRUPT` naming `path` on a short file, bad
 * magic, IFD or tag data beyond the end of the file, an IFD loop, missing or zero dimensions,
 * and strips or tiles of the first or last page lying past the end (a truncated file).
 */
export function readTiffStructure(bytes: Uint8Array | ByteView, path: string): TiffStructure {
  return new TiffStructureReader(bytes instanceof Uint8Array ? memoryByteView(bytes) : bytes, path).read();
}

/** How the given pages of a file already parsed by {@link readTiffStructure} store their pixels. */
export function readTiffPageStorage(bytes: Uint8Array | ByteView, path: string, structure: TiffStructure, pages: readonly number[]): TiffPageStorage[] {
  const reader = new TiffStructureReader(bytes instanceof Uint8Array ? memoryByteView(bytes) : bytes, path);
  return reader.storage(pages.map((page) => ({ ifd: structure.ifdOffsets[page]!, page })));
}

class TiffStructureReader {
  private readonly length: number;
  private littleEndian = true;
  private bigtiff = false;
  private countSize = 2;
  private entrySize = 12;
  private fieldSize = 4;

  constructor(
    private readonly view: ByteView,
    private readonly path: string,
  ) {
    this.length = view.length;
  }

  read(): TiffStructure {
    const first = this.readHeader();
    const ifds = this.walkChain(first);
    const page0 = this.parsePage(ifds[0]!, 0);
    const planePages = [0];
    for (let i = 1; i < ifds.length; i++) {
      const g = this.pageGeometry(ifds[i]!);
      if ((g.subfileType & 1) === 0 && g.width === page0.width && g.height === page0.height && g.samples === page0.samplesPerPixel) {
        planePages.push(i);
      }
    }
    this.checkDataInFile(ifds[0]!, 0);
    if (ifds.length > 1) this.checkDataInFile(ifds[ifds.length - 1]!, ifds.length - 1);
    return { littleEndian: this.littleEndian, bigtiff: this.bigtiff, pageCount: ifds.length, first: page0, planePages, ifdOffsets: ifds };
  }

  /** {@link TiffPageStorage} of the pages at these IFD offsets. */
  storage(ifds: readonly { ifd: number; page: number }[]): TiffPageStorage[] {
    this.readHeader();
    return ifds.map(({ ifd, page }) => this.pageStorage(ifd, page));
  }

  private pageStorage(ifd: number, page: number): TiffPageStorage {
    const one: Record<number, number> = {};
    let counts: number[] = [];
    let offsets: number[] = [];
    this.forEachEntry(ifd, (tag, at) => {
      if (tag === Tag.StripByteCounts || tag === Tag.TileByteCounts) counts = this.values(at, tag);
      else if (tag === Tag.StripOffsets || tag === Tag.TileOffsets) offsets = this.values(at, tag);
      else if (STORAGE_TAGS.has(tag)) one[tag] = this.values(at, tag)[0] ?? 0;
    });
    const width = one[Tag.ImageWidth] ?? 0;
    const height = one[Tag.ImageLength] ?? 0;
    const samples = one[Tag.SamplesPerPixel] ?? 1;
    const bits = one[Tag.BitsPerSample] ?? 1;
    if (width === 0 || height === 0) throw corrupt(this.path, `page ${page} has zero or missing dimensions (width ${width}, height ${height})`, { page });
    const tileWidth = one[Tag.TileWidth];
    const tileLength = one[Tag.TileLength];
    const tiled = tileWidth !== undefined && tileLength !== undefined && tileWidth > 0 && tileLength > 0;
    const decodedBytes = tiled
      ? Math.ceil((tileWidth * samples * bits) / 8) * tileLength * Math.ceil(width / tileWidth) * Math.ceil(height / tileLength)
      : Math.ceil((width * samples * bits) / 8) * height;
    let storedBytes = 0;
    for (const n of counts) storedBytes += n;
    return { compression: one[Tag.Compression] ?? 1, decodedBytes, storedBytes, blocks: counts.length, tiled, offsets, counts };
  }

  private readHeader(): number {
    if (this.length < 8) throw corrupt(this.path, `file is ${this.length} bytes long, too short for a TIFF header (truncated?)`);
    const b0 = this.view.getUint8(0);
    const b1 = this.view.getUint8(1);
    if (b0 === 0x49 && b1 === 0x49) this.littleEndian = true;
    else if (b0 === 0x4d && b1 === 0x4d) this.littleEndian = false;
    else throw corrupt(this.path, `not a TIFF file: bad byte-order mark 0x${hex(b0)}${hex(b1)} (expected 'II' or 'MM')`);
    const version = this.u16(2);
    if (version === 42) return this.u32(4);
    if (version !== 43) throw corrupt(this.path, `not a TIFF file: bad magic number ${version} (expected 42, or 43 for BigTIFF)`);
    if (this.length < 16) throw corrupt(this.path, `file is ${this.length} bytes long, too short for a BigTIFF header (truncated?)`);
    if (this.u16(4) !== 8 || this.u16(6) !== 0) throw corrupt(this.path, 'BigTIFF header has a bad offset byte size (expected 8)');
    this.bigtiff = true;
    this.countSize = 8;
    this.entrySize = 20;
    this.fieldSize = 8;
    return this.u64(8);
  }

  private walkChain(firstOffset: number): number[] {
    const ifds: number[] = [];
    const seen = new Set<number>();
    const headerSize = this.bigtiff ? 16 : 8;
    let offset = firstOffset;
    while (offset !== 0) {
      const page = ifds.length;
      if (offset < headerSize) throw corrupt(this.path, `IFD ${page} offset ${offset} points into the header`, { page });
      if (offset + this.countSize > this.length) {
        throw corrupt(this.path, `IFD ${page} offset ${offset} is beyond the end of the file (${this.length} bytes; truncated?)`, { page });
      }
      if (seen.has(offset) || ifds.length >= MAX_PAGES) throw corrupt(this.path, `IFD chain loops back to offset ${offset} after ${page} pages`, { page });
      seen.add(offset);
      const count = this.count(offset);
      if (count === 0) throw corrupt(this.path, `IFD ${page} at offset ${offset} has no entries`, { page });
      const nextAt = offset + this.countSize + count * this.entrySize;
      if (nextAt + this.fieldSize > this.length) {
        throw corrupt(this.path, `IFD ${page} (${count} entries at offset ${offset}) runs past the end of the file (${this.length} bytes; truncated?)`, {
          page,
        });
      }
      ifds.push(offset);
      offset = this.offsetAt(nextAt);
    }
    if (ifds.length === 0) throw corrupt(this.path, 'the TIFF header points to no image file directory');
    return ifds;
  }

  private parsePage(ifd: number, page: number): TiffPage {
    const values: Record<number, number[]> = {};
    let description: string | undefined;
    let ijData: Uint8Array | undefined;
    this.forEachEntry(ifd, (tag, at) => {
      if (tag === Tag.ImageDescription) description = this.ascii(at, tag);
      else if (tag === Tag.IJMetadata) ijData = this.rawBytes(at, tag, MAX_IJ_METADATA_BYTES);
      else if (WANTED.has(tag)) values[tag] = this.values(at, tag);
    });
    const ijCounts = values[Tag.IJMetadataByteCounts];
    const one = (tag: number, fallback: number): number => values[tag]?.[0] ?? fallback;
    const width = one(Tag.ImageWidth, 0);
    const height = one(Tag.ImageLength, 0);
    if (width === 0 || height === 0) {
      throw corrupt(this.path, `page ${page} has zero or missing dimensions (width ${width}, height ${height})`, { page });
    }
    const samplesPerPixel = one(Tag.SamplesPerPixel, 1);
    const bitsPerSample = one(Tag.BitsPerSample, 1);
    if (samplesPerPixel === 0 || bitsPerSample === 0) {
      throw corrupt(this.path, `page ${page} has ${samplesPerPixel} samples per pixel of ${bitsPerSample} bits`, { page });
    }
    return {
      width,
      height,
      samplesPerPixel,
      bitsPerSample,
      sampleFormat: one(Tag.SampleFormat, 1),
      compression: one(Tag.Compression, 1),
      photometric: values[Tag.PhotometricInterpretation]?.[0],
      subfileType: one(Tag.NewSubfileType, 0),
      description,
      xResolution: positive(values[Tag.XResolution]?.[0]),
      yResolution: positive(values[Tag.YResolution]?.[0]),
      resolutionUnit: one(Tag.ResolutionUnit, 2),
      resolutionUnitGiven: values[Tag.ResolutionUnit] !== undefined,
      ...(ijData && ijCounts && { imagejMetadata: { byteCounts: ijCounts, data: ijData } }),
    };
  }

  /** Width, height, samples and subfile type of a page, reading only inline values. */
  private pageGeometry(ifd: number): { width: number; height: number; samples: number; subfileType: number } {
    const g = { width: 0, height: 0, samples: 1, subfileType: 0 };
    this.forEachEntry(ifd, (tag, at) => {
      if (tag === Tag.ImageWidth) g.width = this.firstValue(at);
      else if (tag === Tag.ImageLength) g.height = this.firstValue(at);
      else if (tag === Tag.SamplesPerPixel) g.samples = this.firstValue(at);
      else if (tag === Tag.NewSubfileType) g.subfileType = this.firstValue(at);
    });
    return g;
  }

  /** Throws CORRUPT when a strip or tile of the page lies (partly) past the end of the file. */
  private checkDataInFile(ifd: number, page: number): void {
    let offsets: number[] | undefined;
    let counts: number[] | undefined;
    this.forEachEntry(ifd, (tag, at) => {
      if (tag === Tag.StripOffsets || tag === Tag.TileOffsets) offsets = this.values(at, tag);
      else if (tag === Tag.StripByteCounts || tag === Tag.TileByteCounts) counts = this.values(at, tag);
    });
    if (!offsets || !counts) return;
    const n = Math.min(offsets.length, counts.length);
    for (let i = 0; i < n; i++) {
      const end = offsets[i]! + counts[i]!;
      if (end > this.length) {
        throw corrupt(this.path, `page ${page} pixel block ${i} ends at byte ${end}, beyond the end of the file (${this.length} bytes; truncated?)`, { page });
      }
    }
  }

  private forEachEntry(ifd: number, visit: (tag: number, entryAt: number) => void): void {
    const count = this.count(ifd);
    let at = ifd + this.countSize;
    for (let i = 0; i < count; i++, at += this.entrySize) visit(this.u16(at), at);
  }

  /** Where the values of the entry at `entryAt` live, checked to lie inside the file. */
  private valuePosition(entryAt: number, tag: number): { type: number; count: number; at: number } {
    const type = this.u16(entryAt + 2);
    const count = this.bigtiff ? this.u64(entryAt + 4) : this.u32(entryAt + 4);
    const size = fieldTypeSize(type) * count;
    const field = entryAt + 4 + this.fieldSize;
    if (size <= this.fieldSize) return { type, count, at: field };
    const at = this.offsetAt(field);
    if (at + size > this.length) {
      throw corrupt(this.path, `tag ${tag} data (${size} bytes at offset ${at}) lies beyond the end of the file (${this.length} bytes; truncated?)`, { tag });
    }
    return { type, count, at };
  }

  private values(entryAt: number, tag: number): number[] {
    const { type, count, at } = this.valuePosition(entryAt, tag);
    const size = fieldTypeSize(type);
    const out = new Array<number>(size === 0 ? 0 : count);
    for (let i = 0; i < out.length; i++) out[i] = this.valueAt(type, at + i * size);
    return out;
  }

  private firstValue(entryAt: number): number {
    const type = this.u16(entryAt + 2);
    return fieldTypeSize(type) <= this.fieldSize ? this.valueAt(type, entryAt + 4 + this.fieldSize) : 0;
  }

  private ascii(entryAt: number, tag: number): string {
    const { count, at } = this.valuePosition(entryAt, tag);
    if (at + count > this.length) {
      throw corrupt(this.path, `tag ${tag} text (${count} bytes at offset ${at}) lies beyond the end of the file (${this.length} bytes; truncated?)`, { tag });
    }
    const text = this.view.bytes(at, count);
    let end = text.length;
    while (end > 0 && text[end - 1] === 0) end--;
    return utf8.decode(text.subarray(0, end));
  }

  /** The first `max` bytes of an entry's values, whatever their type (for BYTE/UNDEFINED blobs). */
  private rawBytes(entryAt: number, tag: number, max: number): Uint8Array {
    const { type, count, at } = this.valuePosition(entryAt, tag);
    return this.view.bytes(at, Math.min(fieldTypeSize(type) * count, max));
  }

  private valueAt(type: number, at: number): number {
    const v = this.view;
    const le = this.littleEndian;
    switch (type) {
      case 3:
        return v.getUint16(at, le);
      case 4:
      case 13:
        return v.getUint32(at, le);
      case 1:
      case 2:
      case 7:
        return v.getUint8(at);
      case 5:
        return ratio(v.getUint32(at, le), v.getUint32(at + 4, le));
      case 16:
      case 18:
        return this.u64(at);
      case 6:
        return v.getInt8(at);
      case 8:
        return v.getInt16(at, le);
      case 9:
        return v.getInt32(at, le);
      case 10:
        return ratio(v.getInt32(at, le), v.getInt32(at + 4, le));
      case 11:
        return v.getFloat32(at, le);
      case 12:
        return v.getFloat64(at, le);
      case 17:
        return Number(v.getBigInt64(at, le));
      default:
        return 0;
    }
  }

  private count(ifd: number): number {
    return this.bigtiff ? this.u64(ifd) : this.u16(ifd);
  }
  private offsetAt(at: number): number {
    return this.bigtiff ? this.u64(at) : this.u32(at);
  }
  private u16(at: number): number {
    return this.view.getUint16(at, this.littleEndian);
  }
  private u32(at: number): number {
    return this.view.getUint32(at, this.littleEndian);
  }
  private u64(at: number): number {
    const value = this.view.getBigUint64(at, this.littleEndian);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(this.path, `64-bit value ${value} at offset ${at} is too large`);
    return Number(value);
  }
}

const STORAGE_TAGS = new Set<number>([Tag.ImageWidth, Tag.ImageLength, Tag.BitsPerSample, Tag.SamplesPerPixel, Tag.Compression, Tag.TileWidth, Tag.TileLength]);

const WANTED = new Set<number>([
  Tag.NewSubfileType,
  Tag.ImageWidth,
  Tag.ImageLength,
  Tag.BitsPerSample,
  Tag.Compression,
  Tag.PhotometricInterpretation,
  Tag.SamplesPerPixel,
  Tag.XResolution,
  Tag.YResolution,
  Tag.ResolutionUnit,
  Tag.SampleFormat,
  Tag.IJMetadataByteCounts,
]);

/** A rational rounded to 9 significant digits, the precision a 32-bit fraction carries. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : Number((numerator / denominator).toPrecision(9));
}

function positive(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

import { deflateSync, createDeflate } from 'node:zlib';
import { encodeTiff } from '../formats/tiff-writer.js';
import { concatBytes, seededRandom } from '../util/bytes.js';
import { asciiField, ifdBlock, longField, shortField, type TiffField } from '../formats/tiff-ifd-builder.js';
import { Tag } from '../formats/tiff-tags.js';

/**
 * Hostile and broken TIFF files for robustness tests: files whose headers declare more than they
 * hold (decompression bombs, huge plane counts), long OME-XML attribute runs, and a seeded mutator
 * that turns valid files into hundreds of broken ones. Every generator is deterministic.
 */

/** One page of a hand-built TIFF: its geometry, strips as stored, and optional description. */
export interface StripPage {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample?: number;
  /** 1 unsigned, 2 signed, 3 float. */
  readonly sampleFormat?: number;
  readonly samplesPerPixel?: number;
  /** 1 none, 5 LZW, 8 deflate, 32773 PackBits. */
  readonly compression?: number;
  /** Rows per strip (default: all rows in one strip). */
  readonly rowsPerStrip?: number;
  /** The strips as stored in the file (already compressed). */
  readonly strips: readonly Uint8Array[];
  readonly description?: string;
}

/** A little-endian classic TIFF of these pages: header, strip data, then the IFD chain. */
export function stripTiff(pages: readonly StripPage[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 8;
  const stripOffsets: number[][] = [];
  for (const page of pages) {
    const offsets: number[] = [];
    for (const strip of page.strips) {
      offsets.push(offset);
      parts.push(strip);
      offset += strip.length;
      if (offset % 2 === 1) {
        parts.push(new Uint8Array(1));
        offset += 1;
      }
    }
    stripOffsets.push(offsets);
  }
  const firstIfd = offset;
  pages.forEach((page, i) => {
    const fields: TiffField[] = [
      longField(Tag.ImageWidth, [page.width]),
      longField(Tag.ImageLength, [page.height]),
      shortField(
        Tag.BitsPerSample,
        Array.from({ length: page.samplesPerPixel ?? 1 }, () => page.bitsPerSample ?? 8),
      ),
      shortField(Tag.Compression, [page.compression ?? 1]),
      shortField(Tag.PhotometricInterpretation, [(page.samplesPerPixel ?? 1) >= 3 ? 2 : 1]),
      longField(Tag.StripOffsets, stripOffsets[i]!),
      shortField(Tag.SamplesPerPixel, [page.samplesPerPixel ?? 1]),
      longField(Tag.RowsPerStrip, [page.rowsPerStrip ?? page.height]),
      longField(
        Tag.StripByteCounts,
        page.strips.map((s) => s.length),
      ),
      shortField(
        Tag.SampleFormat,
        Array.from({ length: page.samplesPerPixel ?? 1 }, () => page.sampleFormat ?? 1),
      ),
      ...(page.description === undefined ? [] : [asciiField(Tag.ImageDescription, page.description)]),
    ];
    const size = ifdBlock(fields, offset, 0, false).length;
    const next = i + 1 < pages.length ? offset + size : 0;
    const block = ifdBlock(fields, offset, next, false);
    parts.push(block);
    offset += block.length;
  });
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  header.set([0x49, 0x49]);
  view.setUint16(2, 42, true);
  view.setUint32(4, firstIfd, true);
  return concatBytes([header, ...parts]);
}

/**
 * A decompression bomb: one deflate strip holding `width × height` zero bytes (uint8). A
 * 32768 × 32768 bomb is a 1 MiB file that decodes to 1 GiB. Compressed in 16 MiB pieces, so
 * building it never holds the decoded image.
 */
export async function deflateBomb(width: number, height: number): Promise<Uint8Array> {
  const total = width * height;
  const piece = new Uint8Array(Math.min(total, 16 * 2 ** 20));
  const deflate = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let left = total; left > 0; left -= piece.length) {
    const more = deflate.write(left >= piece.length ? piece : piece.subarray(0, left));
    if (!more) await new Promise<void>((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await finished;
  return stripTiff([{ width, height, compression: 8, strips: [concatBytes(chunks)] }]);
}

/** A 16 × 16 uint8 TIFF of one page whose ImageJ or OME description declares `planes` planes. */
export function declaredPlanesTiff(kind: 'imagej' | 'ome', planes: number): Uint8Array {
  const description =
    kind === 'imagej'
      ? `ImageJ=1.54f\nimages=${planes}\nslices=${planes}\nunit=micron\n`
      : `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" ` +
        `DimensionOrder="XYZCT" Type="uint8" SizeX="16" SizeY="16" SizeZ="${planes}" SizeC="1" SizeT="1"><TiffData/></Pixels></Image></OME>`;
  return stripTiff([{ width: 16, height: 16, strips: [ramp(256)], description }]);
}

/** A 16 × 16 OME-TIFF whose Pixels element carries an attribute of `length` characters (and an unterminated run after it). */
export function longAttributeTiff(length: number): Uint8Array {
  const run = 'a'.repeat(length);
  const description =
    `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0" Name="${run}">` +
    `<Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8" SizeX="16" SizeY="16" SizeZ="1" SizeC="1" SizeT="1" X${run}="1 ${'='.repeat(length)}` +
    `><TiffData/></Pixels></Image></OME>`;
  return stripTiff([{ width: 16, height: 16, strips: [ramp(256)], description }]);
}

/** A named file of a corpus and how it was made. */
export interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The seed file and the mutation applied. */
  readonly how: string;
}

/**
 * Valid TIFFs of several kinds to mutate: 8-bit plain, 16-bit Z stack, float32 OME-TIFF with
 * channels, RGB, ImageJ hyperstack, a multi-strip deflate file, and a BigTIFF.
 */
export function seedTiffs(): CorpusFile[] {
  const seeds: CorpusFile[] = [];
  const add = (name: string, bytes: Uint8Array) => seeds.push({ name, bytes, how: 'valid seed' });
  add('plain_u8.tif', encodeTiff({ data: ramp(37 * 23), shape: [23, 37], dtype: 'uint8', axes: 'YX' }));
  add('stack_u16.tif', encodeTiff({ data: new Uint16Array(5 * 31 * 17).map((_, i) => (i * 97) % 65536), shape: [5, 31, 17], dtype: 'uint16', axes: 'ZYX' }));
  add(
    'channels_f32.ome.tif',
    encodeTiff(
      { data: new Float32Array(2 * 3 * 9 * 11).map((_, i) => Math.sin(i) * 100), shape: [2, 3, 9, 11], dtype: 'float32', axes: 'CZYX' },
      { ome: true },
    ),
  );
  add('rgb.tif', encodeTiff({ data: ramp(13 * 10 * 3), shape: [13, 10, 3], dtype: 'uint8', axes: 'YXS' }));
  add('hyper_i16.tif', encodeTiff({ data: new Int16Array(2 * 3 * 8 * 8).map((_, i) => i - 200), shape: [2, 3, 8, 8], dtype: 'int16', axes: 'TZYX' }));
  const rows = [0, 1, 2, 3].map((r) => deflateSync(ramp(64 * 4).map((v) => (v + r * 7) % 256)));
  add('deflate_strips.tif', stripTiff([{ width: 64, height: 16, compression: 8, rowsPerStrip: 4, strips: rows }]));
  add('big.tif', encodeTiff({ data: ramp(19 * 21), shape: [19, 21], dtype: 'uint8', axes: 'YX' }, { bigtiff: true }));
  return seeds;
}

/**
 * `count` broken files made from {@link seedTiffs} by seeded mutations: flipped and randomised
 * bytes (more often in the header and directories), 32-bit fields set to extreme values,
 * truncations, a looping IFD chain, a byte-order mark swapped, and descriptions replaced by
 * hostile ones. The same `seed` gives the same corpus.
 */
export function mutatedTiffs(count: number, seed = 1): CorpusFile[] {
  const random = seededRandom(seed);
  const seeds = seedTiffs();
  const out: CorpusFile[] = [];
  for (let i = 0; i < count; i++) {
    const base = seeds[i % seeds.length]!;
    const bytes = new Uint8Array(base.bytes);
    const kind = Math.floor(random() * MUTATIONS.length);
    const [label, mutate] = MUTATIONS[kind]!;
    const result = mutate(bytes, random);
    out.push({ name: `fuzz_${String(i).padStart(4, '0')}_${label}_${base.name.replace(/\..*$/, '')}.tif`, bytes: result, how: `${base.name}: ${label}` });
  }
  return out;
}

type Mutation = readonly [string, (bytes: Uint8Array, random: () => number) => Uint8Array];

const EXTREMES = [0, 1, 0xff, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000, 0x10000, 65535 * 65535];

const MUTATIONS: readonly Mutation[] = [
  [
    'flip',
    (b, r) => {
      for (let n = 1 + Math.floor(r() * 8); n > 0; n--) {
        const at = Math.floor(r() * b.length);
        b[at] = b[at]! ^ (1 << Math.floor(r() * 8));
      }
      return b;
    },
  ],
  [
    'headbytes',
    (b, r) => {
      for (let n = 1 + Math.floor(r() * 6); n > 0; n--) b[Math.floor(r() * Math.min(b.length, 16))] = Math.floor(r() * 256);
      return b;
    },
  ],
  [
    'ifdbytes',
    (b, r) => {
      const from = ifdStart(b);
      for (let n = 1 + Math.floor(r() * 6); n > 0; n--) b[from + Math.floor(r() * (b.length - from))] = Math.floor(r() * 256);
      return b;
    },
  ],
  [
    'extreme',
    (b, r) => {
      const from = ifdStart(b);
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        const at = from + Math.floor(r() * Math.max(1, b.length - from - 4));
        if (at + 4 <= b.length) view.setUint32(at, EXTREMES[Math.floor(r() * EXTREMES.length)]! >>> 0, b[0] === 0x49);
      }
      return b;
    },
  ],
  ['truncate', (b, r) => b.slice(0, Math.floor(r() * b.length))],
  [
    'loop',
    (b) => {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (b.length >= 8 && view.getUint16(2, true) === 42) {
        const ifd = view.getUint32(4, true);
        if (ifd + 2 <= b.length) {
          const entries = view.getUint16(ifd, true);
          const next = ifd + 2 + entries * 12;
          if (next + 4 <= b.length) view.setUint32(next, ifd, true);
        }
      }
      return b;
    },
  ],
  [
    'byteorder',
    (b) => {
      if (b.length >= 2) b.set(b[0] === 0x49 ? [0x4d, 0x4d] : [0x49, 0x49]);
      return b;
    },
  ],
  [
    'dimensions',
    (b, r) => {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (b.length < 8 || view.getUint16(2, true) !== 42) return b;
      const ifd = view.getUint32(4, true);
      if (ifd + 2 > b.length) return b;
      const entries = view.getUint16(ifd, true);
      for (let e = 0; e < entries && ifd + 2 + e * 12 + 12 <= b.length; e++) {
        const at = ifd + 2 + e * 12;
        const tag = view.getUint16(at, true);
        if ((tag === Tag.ImageWidth || tag === Tag.ImageLength || tag === Tag.BitsPerSample || tag === Tag.SamplesPerPixel) && r() < 0.7) {
          const value = [0, 1, 3, 65535, 100_000, 0x7fffffff][Math.floor(r() * 6)]!;
          if (view.getUint16(at + 2, true) === 3) view.setUint16(at + 8, value & 0xffff, true);
          else view.setUint32(at + 8, value, true);
        }
      }
      return b;
    },
  ],
];

function ifdStart(b: Uint8Array): number {
  if (b.length < 8) return 0;
  const le = b[0] === 0x49;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const at = view.getUint16(2, le) === 43 && b.length >= 16 ? Number(view.getBigUint64(8, le)) : view.getUint32(4, le);
  return at < b.length ? at : 8;
}

function ramp(n: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 7) % 256);
}

/** TIFF tag numbers used by the reader and writer (TIFF 6.0 baseline and extensions). */
export const Tag = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  PhotometricInterpretation: 262,
  ImageDescription: 270,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  PlanarConfiguration: 284,
  ResolutionUnit: 296,
  Software: 305,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  ExtraSamples: 338,
  SampleFormat: 339,
  /** ImageJ: byte size of the IJMetadata header and of each of its entries. */
  IJMetadataByteCounts: 50838,
  /** ImageJ: info, labels, display ranges, LUTs, ROIs... (see imagej-luts.ts). */
  IJMetadata: 50839,
} as const;

/** TIFF field types. */
export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  RATIONAL: 5,
  SBYTE: 6,
  UNDEFINED: 7,
  SSHORT: 8,
  SLONG: 9,
  SRATIONAL: 10,
  FLOAT: 11,
  DOUBLE: 12,
  IFD: 13,
  LONG8: 16,
  SLONG8: 17,
  IFD8: 18,
} as const;

const TYPE_SIZES: Readonly<Record<number, number>> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

/** Byte size of one value of a TIFF field type, or 0 for an unknown type. */
export function fieldTypeSize(type: number): number {
  return TYPE_SIZES[type] ?? 0;
}

/** The four magic byte sequences of TIFF files: `II*\0`, `MM\0*`, `II+\0`, `MM\0+`. */
export function hasTiffMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const [a, b, c, d] = bytes;
  if (a === 0x49 && b === 0x49) return (c === 42 || c === 43) && d === 0;
  if (a === 0x4d && b === 0x4d) return c === 0 && (d === 42 || d === 43);
  return false;
}

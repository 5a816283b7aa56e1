import { FieldType } from './tiff-tags.js';

/** One IFD entry to write: a tag, its field type and its values already encoded little-endian. */
export interface TiffField {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  readonly bytes: Uint8Array;
}

function encode(tag: number, type: number, count: number, size: number, put: (view: DataView, index: number) => void): TiffField {
  const bytes = new Uint8Array(count * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) put(view, i);
  return { tag, type, count, bytes };
}

/** SHORT values. */
export function shortField(tag: number, values: readonly number[]): TiffField {
  return encode(tag, FieldType.SHORT, values.length, 2, (v, i) => v.setUint16(i * 2, values[i]!, true));
}

/** LONG values, or LONG8 when `wide` (BigTIFF offsets and byte counts). */
export function longField(tag: number, values: readonly number[], wide = false): TiffField {
  if (wide) return encode(tag, FieldType.LONG8, values.length, 8, (v, i) => v.setBigUint64(i * 8, BigInt(values[i]!), true));
  return encode(tag, FieldType.LONG, values.length, 4, (v, i) => v.setUint32(i * 4, values[i]!, true));
}

/** One RATIONAL approximating `value` with up to 10 significant digits. */
export function rationalField(tag: number, value: number): TiffField {
  let denominator = 1;
  while (denominator < 1e9 && value * denominator * 10 <= 0xffff_ffff) denominator *= 10;
  let numerator = Math.round(value * denominator);
  if (numerator > 0xffff_ffff) [numerator, denominator] = [Math.min(Math.round(value), 0xffff_ffff), 1];
  return encode(tag, FieldType.RATIONAL, 1, 8, (v) => {
    v.setUint32(0, numerator, true);
    v.setUint32(4, denominator, true);
  });
}

/** ASCII text (written as UTF-8) with its terminating NUL. */
export function asciiField(tag: number, text: string): TiffField {
  const utf8 = new TextEncoder().encode(text);
  const bytes = new Uint8Array(utf8.length + 1);
  bytes.set(utf8);
  return { tag, type: FieldType.ASCII, count: bytes.length, bytes };
}

/** Rounds up to a multiple of 8 (the alignment the writer keeps for IFDs and pixel data). */
export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/**
 * Serializes an IFD that starts at file offset `start`: entry count, entries sorted by tag, the
 * next-IFD offset, then the values too large to sit inline. The block is padded to 8 bytes.
 */
export function ifdBlock(fields: readonly TiffField[], start: number, next: number, bigtiff: boolean): Uint8Array {
  const sorted = [...fields].sort((a, b) => a.tag - b.tag);
  const { countSize, entrySize, inline } = sizes(bigtiff);
  const size = ifdBlockSize(sorted, bigtiff);
  const block = new Uint8Array(size);
  const view = new DataView(block.buffer);
  const putOffset = (at: number, value: number): void => {
    if (bigtiff) view.setBigUint64(at, BigInt(value), true);
    else view.setUint32(at, value, true);
  };
  if (bigtiff) view.setBigUint64(0, BigInt(sorted.length), true);
  else view.setUint16(0, sorted.length, true);
  let overflow = align8(countSize + sorted.length * entrySize + inline);
  sorted.forEach((field, i) => {
    const at = countSize + i * entrySize;
    view.setUint16(at, field.tag, true);
    view.setUint16(at + 2, field.type, true);
    putOffset(at + 4, field.count);
    if (field.bytes.length <= inline) {
      block.set(field.bytes, at + 4 + inline);
    } else {
      putOffset(at + 4 + inline, start + overflow);
      block.set(field.bytes, overflow);
      overflow = align8(overflow + field.bytes.length);
    }
  });
  putOffset(countSize + sorted.length * entrySize, next);
  return block;
}

/** Byte size of {@link ifdBlock}'s output for these fields. */
export function ifdBlockSize(fields: readonly TiffField[], bigtiff: boolean): number {
  const { countSize, entrySize, inline } = sizes(bigtiff);
  let size = align8(countSize + fields.length * entrySize + inline);
  for (const f of fields) if (f.bytes.length > inline) size = align8(size + f.bytes.length);
  return size;
}

function sizes(bigtiff: boolean): { countSize: number; entrySize: number; inline: number } {
  return bigtiff ? { countSize: 8, entrySize: 20, inline: 8 } : { countSize: 2, entrySize: 12, inline: 4 };
}

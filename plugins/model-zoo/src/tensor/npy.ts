import { FormatError } from '@bioimageit/core';
import { allocate, itemSize, makeTensor, size, transpose, type DType, type Tensor } from './tensor.js';

/**
 * NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), as bioimage.io test tensors are stored.
 * Reads numeric and bool arrays of either byte order and either memory order; writes version 1.0
 * (2.0 when the header needs it), little-endian, C order.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KINDS: Readonly<Record<string, DType>> = {
  f4: 'float32',
  f8: 'float64',
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  b1: 'bool',
  '?': 'bool',
};

const DESCR: Readonly<Record<DType, string>> = {
  float32: '<f4',
  float64: '<f8',
  uint8: '|u1',
  int8: '|i1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  uint64: '<u8',
  int64: '<i8',
  bool: '|b1',
};

type HeaderValue = string | number | boolean | null | HeaderValue[] | { [key: string]: HeaderValue };

/** A tiny parser for the Python literal dict of a .npy header. */
class HeaderParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly fail: (why: string) => never,
  ) {}

  parse(): HeaderValue {
    const value = this.value();
    this.space();
    if (this.pos !== this.text.length) this.fail(`unexpected '${this.text.slice(this.pos, this.pos + 10)}' after the header dict`);
    return value;
  }

  private space(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private value(): HeaderValue {
    this.space();
    const c = this.text[this.pos];
    if (c === '{') return this.dict();
    if (c === '(' || c === '[') return this.sequence(c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string(c);
    const word = /^(True|False|None|[-+]?\d+L?)/.exec(this.text.slice(this.pos));
    if (word === null) return this.fail(`unexpected '${this.text.slice(this.pos, this.pos + 10)}' in the header`);
    this.pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number.parseInt(word[0], 10);
  }

  private string(quote: string): string {
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) return this.fail('unterminated string in the header');
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }

  private sequence(close: string): HeaderValue[] {
    this.pos++;
    const items: HeaderValue[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}' in the header`);
    }
  }

  private dict(): { [key: string]: HeaderValue } {
    this.pos++;
    const out: { [key: string]: HeaderValue } = {};
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const key = this.value();
      if (typeof key !== 'string') this.fail('a header key is not a string');
      this.space();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after '${key}' in the header`);
      this.pos++;
      out[key] = this.value();
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail("expected ',' or '}' in the header");
    }
  }
}

/**
 * Reads a `.npy` file. `source` (a path or name) is named in every error.
 *
 * Supports `descr` `[<>|=]` + `f4 f8 u1 i1 u2 i2 u4 i4 u8 i8 b1` (and `?`) in either byte order;
 * `fortran_order: True` arrays are transposed into C order; 0-d and empty arrays. Bytes after the
 * data are ignored.
 *
 * @throws FormatError `CORRUPT` for a bad magic string, a malformed header or truncated data;
 *   `UNSUPPORTED` for an unknown version or a dtype outside the list (structured, complex,
 *   float16, strings, objects).
 */
export function readNpy(bytes: Uint8Array, source = 'npy data'): Tensor {
  const corrupt = (why: string): never => {
    throw new FormatError('CORRUPT', `${source}: not a valid .npy file: ${why}`, { details: { source } });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) corrupt('bad magic string (expected \\x93NUMPY)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0) {
    throw new FormatError('UNSUPPORTED', `${source}: .npy format version ${String(major)}.${String(minor)} is not supported (1.0, 2.0, 3.0)`, {
      details: { source },
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) corrupt('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) corrupt(`truncated header (${String(headerLength)} bytes declared)`);
  const headerBytes = bytes.subarray(8 + lengthBytes, dataStart);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes).trim();
  const header = new HeaderParser(text, corrupt).parse();
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return corrupt('the header is not a dict');

  const descr = header['descr'];
  const fortran = header['fortran_order'];
  const shapeValue = header['shape'];
  if (typeof fortran !== 'boolean') corrupt("the header lacks a boolean 'fortran_order'");
  if (!Array.isArray(shapeValue) || shapeValue.some((s) => typeof s !== 'number' || s < 0)) corrupt("the header lacks a 'shape' tuple of sizes");
  if (typeof descr !== 'string') {
    throw new FormatError('UNSUPPORTED', `${source}: structured .npy dtypes are not supported`, { details: { source } });
  }
  const order = descr[0] === '<' || descr[0] === '>' || descr[0] === '|' || descr[0] === '=' ? descr[0] : '';
  const dtype = KINDS[descr.slice(order.length)];
  if (dtype === undefined) {
    throw new FormatError('UNSUPPORTED', `${source}: .npy dtype '${descr}' is not supported (float32/64, (u)int8-64, bool)`, {
      details: { source, descr },
    });
  }
  const shape = shapeValue as number[];
  const count = size(shape);
  const width = itemSize(dtype);
  const byteCount = count * width;
  if (bytes.length - dataStart < byteCount) {
    corrupt(`truncated data: ${String(bytes.length - dataStart)} bytes for ${String(count)} ${dtype} elements (${String(byteCount)} bytes)`);
  }
  const raw = new Uint8Array(byteCount); // a copy, also of a Node Buffer (whose slice() is a view)
  raw.set(bytes.subarray(dataStart, dataStart + byteCount));
  if (order === '>' && width > 1) swapBytes(raw, width);
  const data = allocate(dtype, 0).constructor as new (buffer: ArrayBuffer, offset: number, length: number) => Tensor['data'];
  const storage = new data(raw.buffer, 0, count);
  if (dtype === 'bool') for (let i = 0; i < count; i++) if (raw[i] !== 0) raw[i] = 1;
  if (!fortran || shape.length < 2) return makeTensor(dtype, shape, storage);
  const reversed = [...shape].reverse();
  return transpose(
    makeTensor(dtype, reversed, storage),
    reversed.map((_, a) => reversed.length - 1 - a),
  );
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) {
    for (let lo = i, hi = i + width - 1; lo < hi; lo++, hi--) {
      const b = bytes[lo]!;
      bytes[lo] = bytes[hi]!;
      bytes[hi] = b;
    }
  }
}

/**
 * Writes `t` as a `.npy` file: format 1.0 (2.0 when the header exceeds 65535 bytes), little-endian
 * `descr`, C order, the header padded so that the data starts at a multiple of 64 bytes, as NumPy
 * writes it. `bool` elements are written as 0/1.
 */
export function writeNpy(t: Tensor): Uint8Array {
  const shape = t.shape.length === 1 ? `(${String(t.shape[0])},)` : `(${t.shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let major = 1;
  let prefix = 10;
  if (dict.length + 1 + prefix > 0xffff) {
    major = 2;
    prefix = 12;
  }
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(padded - prefix - dict.length - 1) + '\n';
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(padded + data.length);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(data, padded);
  if (t.dtype === 'bool') for (let i = padded; i < out.length; i++) if (out[i] !== 0) out[i] = 1;
  return out;
}

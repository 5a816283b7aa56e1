import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ioFailure } from './format-failure.js';

/**
 * Random access to the bytes of a file, the subset of DataView that header parsers need. Reads
 * outside `[0, length)` throw RangeError, as DataView does; callers check offsets first.
 */
export interface ByteView {
  readonly length: number;
  getUint8(at: number): number;
  getInt8(at: number): number;
  getUint16(at: number, littleEndian: boolean): number;
  getInt16(at: number, littleEndian: boolean): number;
  getUint32(at: number, littleEndian: boolean): number;
  getInt32(at: number, littleEndian: boolean): number;
  getFloat32(at: number, littleEndian: boolean): number;
  getFloat64(at: number, littleEndian: boolean): number;
  getBigUint64(at: number, littleEndian: boolean): bigint;
  getBigInt64(at: number, littleEndian: boolean): bigint;
  /** A copy (or view) of `length` bytes from `at`. */
  bytes(at: number, length: number): Uint8Array;
}

/** A {@link ByteView} over bytes already in memory. */
export function memoryByteView(bytes: Uint8Array): ByteView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    length: bytes.byteLength,
    getUint8: (at) => view.getUint8(at),
    getInt8: (at) => view.getInt8(at),
    getUint16: (at, le) => view.getUint16(at, le),
    getInt16: (at, le) => view.getInt16(at, le),
    getUint32: (at, le) => view.getUint32(at, le),
    getInt32: (at, le) => view.getInt32(at, le),
    getFloat32: (at, le) => view.getFloat32(at, le),
    getFloat64: (at, le) => view.getFloat64(at, le),
    getBigUint64: (at, le) => view.getBigUint64(at, le),
    getBigInt64: (at, le) => view.getBigInt64(at, le),
    bytes: (at, length) => {
      if (at < 0 || length < 0 || at + length > bytes.byteLength) throw new RangeError(`bytes ${at}..${at + length} lie outside the ${bytes.byteLength} bytes`);
      return bytes.subarray(at, at + length);
    },
  };
}

/** Bytes per cached page of a {@link FileByteView}, and pages kept. */
const PAGE = 16 * 1024;
const PAGES_KEPT = 256;

/**
 * A {@link ByteView} over a file on disk that reads only the pages it is asked for (16 KiB each,
 * the last 256 kept), so the header and directories of a file of any size are parsed in a few
 * kilobytes of memory. Reads are synchronous (a parser makes many small ones); `close()` releases
 * the descriptor. Errors: FormatError `IO` naming `path`.
 */
export class FileByteView implements ByteView {
  readonly length: number;
  private readonly fd: number;
  private readonly pages = new Map<number, Uint8Array>();
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor(private readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (error) {
      throw ioFailure(path, 'open file', error);
    }
    try {
      this.length = fstatSync(this.fd).size;
    } catch (error) {
      closeSync(this.fd);
      throw ioFailure(path, 'read file size', error);
    }
  }

  close(): void {
    this.pages.clear();
    closeSync(this.fd);
  }

  getUint8(at: number): number {
    return this.read(at, 1, (v, o) => v.getUint8(o));
  }
  getInt8(at: number): number {
    return this.read(at, 1, (v, o) => v.getInt8(o));
  }
  getUint16(at: number, le: boolean): number {
    return this.read(at, 2, (v, o) => v.getUint16(o, le));
  }
  getInt16(at: number, le: boolean): number {
    return this.read(at, 2, (v, o) => v.getInt16(o, le));
  }
  getUint32(at: number, le: boolean): number {
    return this.read(at, 4, (v, o) => v.getUint32(o, le));
  }
  getInt32(at: number, le: boolean): number {
    return this.read(at, 4, (v, o) => v.getInt32(o, le));
  }
  getFloat32(at: number, le: boolean): number {
    return this.read(at, 4, (v, o) => v.getFloat32(o, le));
  }
  getFloat64(at: number, le: boolean): number {
    return this.read(at, 8, (v, o) => v.getFloat64(o, le));
  }
  getBigUint64(at: number, le: boolean): bigint {
    return this.read(at, 8, (v, o) => v.getBigUint64(o, le));
  }
  getBigInt64(at: number, le: boolean): bigint {
    return this.read(at, 8, (v, o) => v.getBigInt64(o, le));
  }

  bytes(at: number, length: number): Uint8Array {
    this.check(at, length);
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const page = this.page(Math.floor((at + done) / PAGE));
      const from = (at + done) % PAGE;
      const n = Math.min(length - done, page.length - from);
      out.set(page.subarray(from, from + n), done);
      done += n;
    }
    return out;
  }

  /** `get` applied to a DataView holding `size` bytes from `at` (its page, or the scratch when they straddle two pages). */
  private read<T>(at: number, size: number, get: (view: DataView, offset: number) => T): T {
    this.check(at, size);
    const from = at % PAGE;
    if (from + size <= PAGE) {
      const page = this.page(Math.floor(at / PAGE));
      return get(new DataView(page.buffer, page.byteOffset, page.byteLength), from);
    }
    new Uint8Array(this.scratch.buffer).set(this.bytes(at, size));
    return get(this.scratch, 0);
  }

  private check(at: number, size: number): void {
    if (!Number.isInteger(at) || at < 0 || at + size > this.length) throw new RangeError(`offset ${at} (+${size}) is outside the file (${this.length} bytes)`);
  }

  private page(index: number): Uint8Array {
    const cached = this.pages.get(index);
    if (cached !== undefined) {
      this.pages.delete(index);
      this.pages.set(index, cached);
      return cached;
    }
    const start = index * PAGE;
    const page = new Uint8Array(Math.min(PAGE, this.length - start));
    try {
      let done = 0;
      while (done < page.length) {
        const n = readSync(this.fd, page, done, page.length - done, start + done);
        if (n === 0) throw new Error(`unexpected end of file at byte ${start + done}`);
        done += n;
      }
    } catch (error) {
      throw ioFailure(this.path, `read bytes ${start}..${start + page.length}`, error);
    }
    if (this.pages.size >= PAGES_KEPT) this.pages.delete(this.pages.keys().next().value as number);
    this.pages.set(index, page);
    return page;
  }
}

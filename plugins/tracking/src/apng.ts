import { concatBytes, PNG_SIGNATURE, pngChunk, type RgbaImage } from '@bioimageit/core';
import { deflateSync } from 'node:zlib';

/** Options of {@link encodeApng}. */
export interface ApngOptions {
  /** How long each frame shows, in milliseconds (0 to 655 350; stored as a fraction of a second). */
  readonly delayMs: number;
  /** How many times the animation plays (default 0: forever). */
  readonly loop?: number;
  /** zlib compression level 0–9 (default 6). */
  readonly level?: number;
}

/**
 * Frames of equal size as an animated PNG (APNG, as browsers, ffmpeg and Pillow read it): `acTL`
 * with the frame count and `loop`, then per frame an `fcTL` (full-size region, the same delay,
 * no disposal, source blending) and its pixels — `IDAT` for the first frame, which is also the
 * image that readers without APNG support show, `fdAT` for the others — with one sequence number
 * counting up over all `fcTL` and `fdAT` chunks. 8-bit RGB when every pixel of every frame is
 * opaque, else RGBA. Each row is filtered with the PNG filter (None, Sub, Up, Average, Paeth) whose
 * output has the least sum of absolute byte values (libpng's heuristic), then deflated with
 * node:zlib.
 *
 * Throws RangeError for no frames, frames of different or empty sizes, an RGBA buffer of the wrong
 * length, or a delay or loop count out of range.
 */
export function encodeApng(frames: readonly RgbaImage[], options: ApngOptions): Uint8Array {
  const first = frames[0];
  if (first === undefined) throw new RangeError('an animated PNG needs at least one frame');
  const { width, height } = first;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`cannot encode ${width}×${height} frames`);
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new RangeError(`frame ${i} is ${f.width}×${f.height}, frame 0 is ${width}×${height}`);
    if (f.rgba.length !== width * height * 4) throw new RangeError(`frame ${i}: ${f.rgba.length} bytes are not a ${width}×${height} RGBA image`);
  });
  const loop = options.loop ?? 0;
  if (!Number.isInteger(loop) || loop < 0 || loop > 0x7fff_ffff) throw new RangeError(`loop count ${loop} is not an integer from 0 (forever)`);
  const [delayNum, delayDen] = delayFraction(options.delayMs);
  const level = options.level ?? 6;
  const opaque = frames.every((f) => isOpaque(f.rgba));
  const channels = opaque ? 3 : 4;

  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = opaque ? 2 : 6;
  const actl = new Uint8Array(8);
  new DataView(actl.buffer).setUint32(0, frames.length);
  new DataView(actl.buffer).setUint32(4, loop);
  const parts: Uint8Array[] = [PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('acTL', actl)];

  let sequence = 0;
  frames.forEach((frame, i) => {
    const fctl = new Uint8Array(26);
    const fv = new DataView(fctl.buffer);
    fv.setUint32(0, sequence++);
    fv.setUint32(4, width);
    fv.setUint32(8, height);
    fv.setUint32(12, 0);
    fv.setUint32(16, 0);
    fv.setUint16(20, delayNum);
    fv.setUint16(22, delayDen);
    fctl[24] = 0; // dispose: none
    fctl[25] = 0; // blend: source
    parts.push(pngChunk('fcTL', fctl));
    const data = deflateSync(filterRows(frame.rgba, width, height, channels), { level });
    if (i === 0) {
      parts.push(pngChunk('IDAT', data));
    } else {
      const fdat = new Uint8Array(4 + data.length);
      new DataView(fdat.buffer).setUint32(0, sequence++);
      fdat.set(data, 4);
      parts.push(pngChunk('fdAT', fdat));
    }
  });
  parts.push(pngChunk('IEND', new Uint8Array(0)));
  return concatBytes(parts);
}

/** `delayMs` as the fraction `fcTL` stores (two 16-bit numbers): thousandths while they fit, else hundredths. */
function delayFraction(delayMs: number): [number, number] {
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > 655_350) throw new RangeError(`a frame delay of ${delayMs} ms is outside 0–655350`);
  if (Number.isInteger(delayMs) && delayMs <= 0xffff) return [delayMs, 1000];
  return [Math.round(delayMs / 10), 100];
}

function isOpaque(rgba: Uint8ClampedArray): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/**
 * The filtered scanlines of one frame (a filter-type byte, then the row): each row takes the
 * filter whose output bytes, read as signed, have the least sum of absolute values.
 */
function filterRows(rgba: Uint8ClampedArray, width: number, height: number, channels: number): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array((stride + 1) * height);
  let previous = new Uint8Array(stride);
  let row = new Uint8Array(stride);
  const candidates = Array.from({ length: 5 }, () => new Uint8Array(stride));
  for (let y = 0; y < height; y++) {
    for (let x = 0, from = y * width * 4, to = 0; x < width; x++, from += 4, to += channels) {
      row[to] = rgba[from]!;
      row[to + 1] = rgba[from + 1]!;
      row[to + 2] = rgba[from + 2]!;
      if (channels === 4) row[to + 3] = rgba[from + 3]!;
    }
    let best = 0;
    let bestCost = Infinity;
    for (let type = 0; type < 5; type++) {
      const cost = applyFilter(type, row, previous, channels, candidates[type]!);
      if (cost < bestCost) {
        bestCost = cost;
        best = type;
      }
    }
    const at = y * (stride + 1);
    out[at] = best;
    out.set(candidates[best]!, at + 1);
    [previous, row] = [row, previous];
  }
  return out;
}

/** Writes `row` filtered with PNG filter `type` into `into`; returns the sum of the output bytes' absolute signed values. */
function applyFilter(type: number, row: Uint8Array, up: Uint8Array, bpp: number, into: Uint8Array): number {
  const n = row.length;
  if (type === 0) into.set(row);
  else if (type === 1) for (let i = 0; i < n; i++) into[i] = row[i]! - (i >= bpp ? row[i - bpp]! : 0);
  else if (type === 2) for (let i = 0; i < n; i++) into[i] = row[i]! - up[i]!;
  else if (type === 3) for (let i = 0; i < n; i++) into[i] = row[i]! - (((i >= bpp ? row[i - bpp]! : 0) + up[i]!) >> 1);
  else {
    for (let i = 0; i < bpp; i++) into[i] = row[i]! - up[i]!;
    for (let i = bpp; i < n; i++) into[i] = row[i]! - paeth(row[i - bpp]!, up[i]!, up[i - bpp]!);
  }
  let cost = 0;
  for (let i = 0; i < n; i++) {
    const v = into[i]!;
    cost += v < 128 ? v : 256 - v;
  }
  return cost;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

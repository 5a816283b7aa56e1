import { crc32, deflateSync } from 'node:zlib';
import { concatBytes } from '../util/bytes.js';
import type { RgbaImage } from './composite.js';

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * An opaque RGBA image as PNG bytes (8-bit RGB, colour type 2; alpha is dropped when every pixel
 * is opaque, else RGBA, colour type 6). Rows use the `Up` filter, compressed with node:zlib at
 * `level` (default 4: previews are drawn per request, so speed matters more than the last bytes).
 */
export function encodePng(image: RgbaImage, level = 4): Uint8Array {
  const { width, height, rgba } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`cannot encode a ${width}×${height} image`);
  if (rgba.length !== width * height * 4) throw new RangeError(`${rgba.length} bytes are not a ${width}×${height} RGBA image`);
  let opaque = true;
  for (let i = 3; i < rgba.length; i += 4)
    if (rgba[i] !== 255) {
      opaque = false;
      break;
    }
  const channels = opaque ? 3 : 4;
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  let previous = new Uint8Array(stride);
  let row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    for (let x = 0, from = y * width * 4; x < width; x++, from += 4) {
      const to = x * channels;
      row[to] = rgba[from]!;
      row[to + 1] = rgba[from + 1]!;
      row[to + 2] = rgba[from + 2]!;
      if (channels === 4) row[to + 3] = rgba[from + 3]!;
    }
    const at = y * (stride + 1);
    raw[at] = 2; // Up
    for (let i = 0; i < stride; i++) raw[at + 1 + i] = (row[i]! - previous[i]!) & 0xff;
    [previous, row] = [row, previous];
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = opaque ? 2 : 6;
  return concatBytes([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw, { level })), pngChunk('IEND', new Uint8Array(0))]);
}

/** One PNG chunk: length, 4-letter type, data, CRC-32 of type and data (also what APNG's chunks are made of). */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGrayPng } from './png-encoder.js';

function chunks(png: Uint8Array): { type: string; data: Buffer; crc: number }[] {
  const b = Buffer.from(png);
  const out: { type: string; data: Buffer; crc: number }[] = [];
  for (let at = 8; at < b.length;) {
    const length = b.readUInt32BE(at);
    out.push({ type: b.toString('latin1', at + 4, at + 8), data: b.subarray(at + 8, at + 8 + length), crc: b.readUInt32BE(at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('encodeGrayPng', () => {
  it('writes signature, IHDR (8-bit grey), IDAT rows with filter 0, IEND, and correct CRCs', () => {
    const pixels = Uint8Array.from({ length: 3 * 2 }, (_, i) => i * 40);
    const png = encodeGrayPng(pixels, 3, 2);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const [ihdr, idat, iend] = chunks(png);
    expect(ihdr!.type).toBe('IHDR');
    expect([ihdr!.data.readUInt32BE(0), ihdr!.data.readUInt32BE(4), ihdr!.data[8], ihdr!.data[9]]).toEqual([3, 2, 8, 0]);
    expect([...inflateSync(idat!.data)]).toEqual([0, 0, 40, 80, 0, 120, 160, 200]);
    expect(iend!.type).toBe('IEND');
    // CRC-32 of "IEND" (no data) is a well-known constant.
    expect(iend!.crc).toBe(0xae426082);
  });

  it('refuses a pixel count that does not match the size', () => {
    expect(() => encodeGrayPng(new Uint8Array(5), 3, 2)).toThrow('encodeGrayPng: 5 pixels do not make a 3x2 image');
    expect(() => encodeGrayPng(new Uint8Array(0), 0, 0)).toThrow(RangeError);
  });
});

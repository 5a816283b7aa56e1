import { describe, expect, it } from 'vitest';
import { undoHorizontalDifferencing } from './tiff-predictor.js';
import { expandSubsampled, subsampledBytes, ycbcrConversion, ycbcrToRgb } from './ycbcr.js';

describe('ycbcrToRgb', () => {
  it('maps full-range BT.601 grey, primaries and the studio range to RGB', () => {
    const s = new Uint8Array([128, 128, 128, 76, 85, 255, 255, 128, 128]);
    ycbcrToRgb(s);
    expect([...s.subarray(0, 3)]).toEqual([128, 128, 128]);
    expect([...s.subarray(3, 6)]).toEqual([254, 0, 0]);
    expect([...s.subarray(6, 9)]).toEqual([255, 255, 255]);
    const studio = new Uint8Array([16, 128, 128, 235, 128, 128]);
    ycbcrToRgb(studio, ycbcrConversion(undefined, [16, 235, 128, 240, 128, 240]));
    expect([...studio]).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('falls back to the defaults for unusable tags', () => {
    expect(ycbcrConversion([0.299, 0, 0.114], [1, 2]).referenceBlackWhite).toEqual([0, 255, 128, 255, 128, 255]);
  });
});

describe('expandSubsampled', () => {
  it('spreads each unit over its pixels, cropping padded units at the edges', () => {
    // 3×1 pixels subsampled 2×1: two units (the second padded), each Y0 Y1 Cb Cr
    const out = expandSubsampled(new Uint8Array([10, 11, 100, 200, 12, 99, 101, 201]), 3, 1, 2, 1);
    expect([...out]).toEqual([10, 100, 200, 11, 100, 200, 12, 101, 201]);
    expect(subsampledBytes(3, 1, 2, 1)).toBe(8);
  });

  it('names the shortfall of a short block and refuses invalid factors', () => {
    expect(() => expandSubsampled(new Uint8Array(7), 3, 1, 2, 1)).toThrow(/7 bytes hold fewer than the 8 bytes of 3×1 pixels subsampled 2×1/);
    expect(() => expandSubsampled(new Uint8Array(8), 3, 1, 3, 1)).toThrow(/subsampling 3×1 is not valid/);
  });
});

describe('undoHorizontalDifferencing', () => {
  it('accumulates big-endian 16-bit samples per channel and row, wrapping', () => {
    const view = new DataView(new ArrayBuffer(12));
    [1, 2, 0xffff, 5, 100, 1].forEach((v, i) => view.setUint16(i * 2, v, false));
    undoHorizontalDifferencing(view.buffer, { width: 3, samples: 1, bytesPerSample: 2, littleEndian: false });
    expect([0, 1, 2, 3, 4, 5].map((i) => view.getUint16(i * 2, false))).toEqual([1, 3, 2, 5, 105, 106]);
  });
});

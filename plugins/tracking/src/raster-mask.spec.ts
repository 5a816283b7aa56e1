import type { RgbaImage } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { CoverageMask } from './raster-mask.js';

function blank(width: number, height: number): RgbaImage {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  return { width, height, rgba };
}

const red = (image: RgbaImage, x: number, y: number): number => image.rgba[(y * image.width + x) * 4]!;

describe('CoverageMask', () => {
  it('strokes a horizontal line 1 px wide onto exactly its row', () => {
    const image = blank(20, 9);
    const mask = new CoverageMask(20, 9);
    mask.strokeSegment(3, 4, 15, 4, 1, 1);
    mask.paint(image, [255, 0, 0]);
    for (let x = 3; x <= 15; x++) expect(red(image, x, 4)).toBe(255);
    for (let x = 0; x < 20; x++) {
      expect(red(image, x, 3)).toBe(0);
      expect(red(image, x, 5)).toBe(0);
    }
    expect(red(image, 1, 4)).toBe(0);
    expect(red(image, 17, 4)).toBe(0);
    expect(image.rgba[(4 * 20 + 8) * 4 + 1]).toBe(0); // green untouched
  });

  it('anti-aliases a line between pixel rows', () => {
    const image = blank(12, 8);
    const mask = new CoverageMask(12, 8);
    mask.strokeSegment(1, 3.5, 10, 3.5, 1, 1);
    mask.paint(image, [200, 0, 0]);
    expect(red(image, 5, 3)).toBe(100);
    expect(red(image, 5, 4)).toBe(100);
    expect(red(image, 5, 2)).toBe(0);
  });

  it('draws a diagonal line as a connected, thin stroke', () => {
    const image = blank(32, 32);
    const mask = new CoverageMask(32, 32);
    mask.strokeSegment(2, 3, 29, 27, 1.5, 1);
    mask.paint(image, [255, 255, 255]);
    for (let x = 3; x <= 28; x++) {
      const column = Array.from({ length: 32 }, (_, y) => red(image, x, y));
      const lit = column.filter((v) => v > 0).length;
      expect(lit, `column ${x}`).toBeGreaterThanOrEqual(1);
      expect(lit, `column ${x}`).toBeLessThanOrEqual(4);
      expect(Math.max(...column), `column ${x}`).toBeGreaterThan(150);
    }
  });

  it('joins the segments of a polyline without darker dots (coverage combines by maximum)', () => {
    const image = blank(30, 10);
    const mask = new CoverageMask(30, 10);
    mask.strokeSegment(2, 5, 14, 5, 2, 0.5);
    mask.strokeSegment(14, 5, 27, 5, 2, 0.5);
    mask.paint(image, [255, 0, 0]);
    expect(red(image, 14, 5)).toBe(red(image, 8, 5));
    expect(red(image, 14, 5)).toBe(128);
  });

  it('fades opacity along a segment', () => {
    const image = blank(40, 5);
    const mask = new CoverageMask(40, 5);
    mask.strokeSegment(0, 2, 39, 2, 1, 0, 1);
    mask.paint(image, [255, 0, 0]);
    const row = Array.from({ length: 40 }, (_, x) => red(image, x, 2));
    expect(row[0]).toBe(0);
    expect(row[39]).toBe(255);
    for (let x = 1; x < 40; x++) expect(row[x]!).toBeGreaterThanOrEqual(row[x - 1]!);
  });

  it('strokes a circle: a ring at its radius, the centre left alone', () => {
    const image = blank(21, 21);
    const mask = new CoverageMask(21, 21);
    mask.strokeCircle(10, 10, 6, 1, 1);
    mask.paint(image, [255, 255, 255]);
    for (const [x, y] of [
      [16, 10],
      [4, 10],
      [10, 16],
      [10, 4],
    ] as const)
      expect(red(image, x, y)).toBe(255);
    expect(red(image, 10, 10)).toBe(0);
    expect(red(image, 13, 10)).toBe(0);
    expect(red(image, 18, 10)).toBe(0);
    let lit = 0;
    for (let i = 0; i < 21 * 21; i++) if (image.rgba[i * 4]! > 127) lit++;
    expect(lit).toBeGreaterThan(2 * Math.PI * 6 * 0.8);
    expect(lit).toBeLessThan(2 * Math.PI * 6 * 1.6);
  });

  it('fills a disc', () => {
    const image = blank(11, 11);
    const mask = new CoverageMask(11, 11);
    mask.fillDisc(5, 5, 3, 1);
    mask.paint(image, [255, 0, 0]);
    expect(red(image, 5, 5)).toBe(255);
    expect(red(image, 7, 6)).toBe(255);
    expect(red(image, 7, 7)).toBe(171); // 2.83 px out: two thirds covered
    expect(red(image, 9, 9)).toBe(0);
  });

  it('clips shapes outside the image, ignores non-finite ones, and clears itself after painting', () => {
    const image = blank(10, 10);
    const mask = new CoverageMask(10, 10);
    mask.strokeSegment(-50, -50, 200, 200, 1, 1);
    mask.strokeCircle(-100, 5, 3, 1, 1);
    mask.strokeSegment(NaN, 0, 5, 5, 1, 1);
    mask.paint(image, [255, 0, 0]);
    for (let i = 0; i < 10; i++) expect(red(image, i, i)).toBe(255);
    const again = blank(10, 10);
    mask.paint(again, [255, 0, 0]);
    expect(again.rgba.every((v, i) => (i % 4 === 3 ? v === 255 : v === 0))).toBe(true);
  });

  it('rejects empty masks and images of another size', () => {
    expect(() => new CoverageMask(0, 3)).toThrow(RangeError);
    expect(() => new CoverageMask(4, 4).paint(blank(5, 4), [1, 2, 3])).toThrow(/4×4 mask/);
  });
});

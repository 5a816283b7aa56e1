import { describe, expect, it } from 'vitest';
import type { PixelArray } from '@bioimageit/core';
import { fitPlane } from './fit-plane.js';
import { imageDims } from './image-plane.js';
import { displayRange, planeToRgba } from './plane-to-rgba.js';

/** A TCZYX-ordered array whose value at (t, c, z, y, x) is t*10000 + c*1000 + z*100 + y*10 + x. */
function indexed(axes: string, shape: number[]): PixelArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Uint16Array(size);
  for (let i = 0; i < size; i++) {
    let rest = i;
    const coords: Record<string, number> = {};
    for (let k = shape.length - 1; k >= 0; k--) {
      coords[axes[k] as string] = rest % (shape[k] as number);
      rest = Math.floor(rest / (shape[k] as number));
    }
    data[i] = (coords['T'] ?? 0) * 10000 + (coords['C'] ?? 0) * 1000 + (coords['Z'] ?? 0) * 100 + (coords['Y'] ?? 0) * 10 + (coords['X'] ?? 0);
  }
  return { data, shape, axes, dtype: 'uint16' };
}

describe('fitPlane', () => {
  it('copies a plane that fits, as float32, keeping RGB samples', () => {
    const plane = fitPlane(indexed('YX', [2, 3]), 16);
    expect([plane.width, plane.height, plane.samples]).toEqual([3, 2, 1]);
    expect([...plane.values]).toEqual([0, 1, 2, 10, 11, 12]);
    expect(fitPlane(indexed('YXS', [1, 2, 3]), 16).samples).toBe(3);
  });

  it('reduces a larger plane by block means, keeping at least the size asked; partial edge blocks average what they hold', () => {
    const plane = fitPlane(indexed('YX', [3, 5]), 2);
    expect([plane.width, plane.height]).toEqual([3, 2]);
    expect([...plane.values]).toEqual([5.5, 7.5, 9, 20.5, 22.5, 24]);
    expect(fitPlane(indexed('YX', [3, 5]), 3).width).toBe(5);
    const rgb = fitPlane(indexed('YXS', [4, 4, 3]), 2);
    expect([rgb.width, rgb.height, rgb.samples]).toEqual([2, 2, 3]);
    expect(rgb.values[0]).toBeCloseTo((0 + 1 + 10 + 11) / 4);
  });

  it('refuses pixels that are not one plane, and names axes without Y and X', () => {
    expect(() => fitPlane(indexed('ZYX', [2, 2, 2]), 8)).toThrow("axes 'ZYX' are not a plane (YX or YXS)");
    expect(() => fitPlane(indexed('XY', [2, 2]), 8)).toThrow("axes 'XY' are not a plane");
    expect(imageDims([5, 6], 'YX')).toEqual({ sizeT: 1, sizeC: 1, sizeZ: 1, height: 5, width: 6, samples: 1 });
    expect(() => imageDims([3, 4], 'ZC')).toThrow("axes 'ZC' lack Y and X");
  });
});

describe('planeToRgba', () => {
  it('stretches between the display range to 0..255 gray, opaque', () => {
    const values = new Float32Array(1000).map((_, i) => i);
    const plane = { width: 1000, height: 1, samples: 1, values };
    const { min, max } = displayRange(plane);
    expect(min).toBe(1);
    expect(max).toBe(998);
    const rgba = planeToRgba(plane);
    expect([rgba[0], rgba[1], rgba[2], rgba[3]]).toEqual([0, 0, 0, 255]);
    expect(rgba[4 * 999]).toBe(255);
    expect(rgba[4 * 500]).toBe(Math.round(((500 - 1) * 255) / 997));
  });

  it('draws a constant plane without dividing by zero', () => {
    const rgba = planeToRgba({ width: 2, height: 1, samples: 1, values: new Float32Array([7, 7]) });
    expect([...rgba]).toEqual([0, 0, 0, 255, 0, 0, 0, 255]);
  });
});

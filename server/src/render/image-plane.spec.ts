import { describe, expect, it } from 'vitest';
import type { PixelArray } from '@bioimageit/core';
import { extractPlane, imageDims } from './image-plane.js';
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

describe('extractPlane', () => {
  it('picks a z-plane of a chosen time point and channel', () => {
    const pixels = indexed('TCZYX', [2, 3, 4, 2, 3]);
    const plane = extractPlane(pixels, { t: 1, c: 2, z: 3 });
    expect([plane.width, plane.height, plane.samples]).toEqual([3, 2, 1]);
    expect([...plane.values]).toEqual([12300, 12301, 12302, 12310, 12311, 12312]);
  });

  it('projects the maximum over Z', () => {
    const pixels = indexed('ZYX', [4, 2, 2]);
    const data = pixels.data as Uint16Array;
    data[0] = 999;
    const plane = extractPlane(pixels, { z: 'max' });
    expect([...plane.values]).toEqual([999, 301, 310, 311]);
  });

  it('keeps RGB samples and reads 2-D images', () => {
    const rgb = indexed('YXS', [1, 2, 3]);
    expect(extractPlane(rgb, { z: 0 }).samples).toBe(3);
    expect(imageDims([5, 6], 'YX')).toEqual({ sizeT: 1, sizeC: 1, sizeZ: 1, height: 5, width: 6, samples: 1 });
  });

  it('names the axis and its size when an index is outside the image', () => {
    const pixels = indexed('CZYX', [2, 3, 2, 2]);
    expect(() => extractPlane(pixels, { z: 3 })).toThrow('z=3 is outside the image (z has 3 planes: 0..2)');
    expect(() => extractPlane(pixels, { z: 0, c: 2 })).toThrow('c=2 is outside the image (c has 2 planes: 0..1)');
    expect(() => extractPlane(pixels, { z: 0, t: 1 })).toThrow('t=1 is outside the image (t has 1 plane: 0..0)');
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

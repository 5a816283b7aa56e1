import { describe, expect, it } from 'vitest';
import type { PixelArray } from '@bioimageit/core';
import { maxProjection } from './max-projection.js';

function stack(shape: number[], axes: string, fill: (index: number) => number, dtype: PixelArray['dtype'] = 'uint16'): PixelArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(size) : new Uint16Array(size);
  for (let i = 0; i < size; i++) data[i] = fill(i);
  return { data, shape, axes, dtype };
}

describe('maxProjection', () => {
  it('takes the maximum along Z of a 3-D uint16 stack, pixel by pixel', () => {
    // 3 planes of 2 × 3; each pixel's maximum sits in a different plane.
    const planes = [
      [9, 1, 1, 1, 1, 60000],
      [1, 7, 1, 1, 500, 1],
      [1, 1, 8, 4, 1, 1],
    ];
    const pixels: PixelArray = { data: Uint16Array.from(planes.flat()), shape: [3, 2, 3], axes: 'ZYX', dtype: 'uint16' };
    expect(maxProjection(pixels)).toEqual({ width: 3, height: 2, channels: 1, data: Float32Array.from([9, 7, 8, 4, 500, 60000]) });
  });

  it('uses the first time point and the first channel of a TCZYX stack', () => {
    // value = t*1000 + c*100 + z*10 + y*2 + x over shape [2, 2, 3, 2, 2]
    const shape = [2, 2, 3, 2, 2];
    const value = (i: number) => {
      const x = i % 2,
        y = Math.floor(i / 2) % 2,
        z = Math.floor(i / 4) % 3,
        c = Math.floor(i / 12) % 2,
        t = Math.floor(i / 24);
      return t * 1000 + c * 100 + z * 10 + y * 2 + x;
    };
    const plane = maxProjection(stack(shape, 'TCZYX', value));
    expect([...plane.data]).toEqual([20, 21, 22, 23]);
  });

  it('keeps RGB samples as colour and ignores NaN in float data', () => {
    const rgb = maxProjection(stack([1, 2, 3], 'YXS', (i) => i));
    expect(rgb).toMatchObject({ width: 2, height: 1, channels: 3 });
    expect([...rgb.data]).toEqual([0, 1, 2, 3, 4, 5]);
    const floats = maxProjection(stack([2, 1, 2], 'ZYX', (i) => [NaN, 1, 3, NaN][i] as number, 'float32'));
    expect([...floats.data]).toEqual([3, 1]);
  });

  it('rejects images without Y and X axes, or whose data does not fill the shape, with UNSUPPORTED', () => {
    expect(() => maxProjection(stack([4, 4], 'ZC', () => 0))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => maxProjection({ data: new Uint16Array(3), shape: [2, 2], axes: 'YX', dtype: 'uint16' })).toThrow(/holds 3 values/);
  });
});

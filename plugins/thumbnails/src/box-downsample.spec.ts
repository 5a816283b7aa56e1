import { describe, expect, it } from 'vitest';
import { boxDownsample, thumbnailSize } from './box-downsample.js';

describe('thumbnail size and box downsampling', () => {
  it('fits the long side into the maximum, keeps the aspect and never enlarges', () => {
    expect(thumbnailSize(1024, 512, 256)).toEqual({ width: 256, height: 128 });
    expect(thumbnailSize(300, 2000, 256)).toEqual({ width: 38, height: 256 });
    expect(thumbnailSize(100, 40, 256)).toEqual({ width: 100, height: 40 });
    expect(thumbnailSize(5000, 1, 256)).toEqual({ width: 256, height: 1 });
  });

  it('averages the source pixels each target pixel covers, per channel', () => {
    const plane = { width: 4, height: 2, channels: 1 as const, data: Float32Array.from([1, 3, 10, 20, 5, 7, 30, 40]) };
    expect([...boxDownsample(plane, 2, 1).data]).toEqual([4, 25]);
    const rgb = { width: 2, height: 1, channels: 3 as const, data: Float32Array.from([0, 10, 100, 2, 20, NaN]) };
    expect([...boxDownsample(rgb, 1, 1).data]).toEqual([1, 15, 100]);
    expect(boxDownsample(plane, 4, 2)).toBe(plane);
  });
});

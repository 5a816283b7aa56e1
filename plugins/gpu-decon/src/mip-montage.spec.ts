import { describe, expect, it } from 'vitest';
import { mipMontage } from './mip-montage.js';

describe('mipMontage', () => {
  it('places XY on top, XZ below and YZ to the right, z stretched by dz/dx, stretched to 0..255', () => {
    const [nz, ny, nx] = [2, 3, 4];
    const z = Float32Array.from({ length: ny * nx }, (_, i) => i);
    const y = new Float32Array(nz * nx).fill(5);
    const x = new Float32Array(nz * ny).fill(11);
    const m = mipMontage({ z, y, x }, [nz, ny, nx], 2);
    expect([m.width, m.height]).toEqual([nx + 2 + 4, ny + 2 + 4]);
    expect(m.pixels[0]).toBe(0);
    expect(m.pixels[2 * m.width + 3]).toBe(255);
    expect(m.pixels[(ny + 2) * m.width]).toBe(Math.round((5 / 11) * 255));
    expect(m.pixels[nx + 2]).toBe(255);
    expect(m.pixels[ny * m.width]).toBe(0);
  });
});

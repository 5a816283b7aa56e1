import { describe, expect, it } from 'vitest';
import { asFloat32, extract, insert, makeTensor, size, strides, toFloat32, toFloat64, transpose, valueAt } from './tensor.js';

const iota = (shape: number[]) =>
  makeTensor(
    'int32',
    shape,
    Int32Array.from({ length: size(shape) }, (_, i) => i),
  );

describe('tensor helpers', () => {
  it('computes sizes and C-order strides', () => {
    expect(size([])).toBe(1);
    expect(size([2, 0, 3])).toBe(0);
    expect(strides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(() => size([-1])).toThrow(RangeError);
    expect(() => makeTensor('float32', [2], new Float64Array(2))).toThrow(/cannot hold/);
    expect(() => makeTensor('float32', [3], new Float32Array(2))).toThrow(/expected/);
  });

  it('converts to float32/float64, also from BigInt storage', () => {
    const t = makeTensor('int64', [3], BigInt64Array.of(-2n, 0n, 5n));
    expect([...toFloat32(t)]).toEqual([-2, 0, 5]);
    expect([...toFloat64(t)]).toEqual([-2, 0, 5]);
    const f = makeTensor('float32', [1], Float32Array.of(1.5));
    expect(toFloat32(f)).toBe(f.data);
    expect(asFloat32(f)).toBe(f);
    expect(asFloat32(iota([2])).dtype).toBe('float32');
  });

  it('transposes like np.transpose', () => {
    const t = iota([2, 3, 4]);
    const p = transpose(t, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 3; k++) expect(valueAt(p, i * 6 + j * 3 + k)).toBe(j * 12 + k * 4 + i);
    expect(() => transpose(t, [0, 0, 1])).toThrow(/permutation/);
    expect(transpose(makeTensor('float32', [], Float32Array.of(7)), []).data[0]).toBe(7);
  });

  it('extracts a box and pastes it back', () => {
    const t = iota([4, 5]);
    const box = extract(t, { start: [1, 2], shape: [2, 3] });
    expect([...box.data]).toEqual([7, 8, 9, 12, 13, 14]);
    const target = makeTensor('int32', [4, 5]);
    insert(target, box, [2, 0]);
    expect([...target.data.slice(10, 15)]).toEqual([7, 8, 9, 0, 0]);
    insert(target, box, [0, 4], { start: [0, 2], shape: [2, 1] });
    expect(valueAt(target, 4)).toBe(9);
    expect(valueAt(target, 9)).toBe(14);
    expect(() => extract(t, { start: [3, 0], shape: [2, 1] })).toThrow(RangeError);
    expect(() => insert(target, box, [3, 3])).toThrow(RangeError);
    expect(() => insert(makeTensor('float32', [4, 5]), box, [0, 0])).toThrow(/paste/);
  });

  it('pads outside boxes like np.pad', () => {
    const t = makeTensor('float32', [4], Float32Array.of(1, 2, 3, 4));
    const row = (mode: 'zeros' | 'edge' | 'reflect' | 'symmetric') => [...extract(t, { start: [-3], shape: [10] }, mode).data];
    expect(row('zeros')).toEqual([0, 0, 0, 1, 2, 3, 4, 0, 0, 0]);
    expect(row('edge')).toEqual([1, 1, 1, 1, 2, 3, 4, 4, 4, 4]);
    expect(row('reflect')).toEqual([4, 3, 2, 1, 2, 3, 4, 3, 2, 1]);
    expect(row('symmetric')).toEqual([3, 2, 1, 1, 2, 3, 4, 4, 3, 2]);
    const big = makeTensor('int64', [2, 2], BigInt64Array.of(1n, 2n, 3n, 4n));
    expect([...extract(big, { start: [-1, 0], shape: [3, 2] }, 'zeros').data]).toEqual([0n, 0n, 1n, 2n, 3n, 4n]);
  });
});

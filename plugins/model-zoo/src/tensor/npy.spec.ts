import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@bioimageit/core';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from './npy.js';
import { allocate, DTYPES, makeTensor, size, valueAt, type DType, type Tensor } from './tensor.js';

const { python, why } = debianPython(['numpy']);
const skip = skipWithout('python', why, import.meta.url);

/** Deterministic values of `dtype` including negatives and extremes where the type has them. */
function sample(dtype: DType, shape: number[]): Tensor {
  const n = size(shape);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = ((i * 37) % 23) - 11;
    if (data instanceof BigInt64Array) data[i] = BigInt(v) * 1000000000007n;
    else if (data instanceof BigUint64Array) data[i] = BigInt(i) * 1000000000007n + 18000000000000000000n * BigInt(i % 2);
    else if (dtype === 'bool') data[i] = v > 0 ? 1 : 0;
    else if (dtype.startsWith('float')) data[i] = v / 7;
    else data[i] = dtype.startsWith('u') ? Math.abs(v) * 9 : v * 5;
  }
  return makeTensor(dtype, shape, data);
}

const expectSame = (a: Tensor, b: Tensor) => {
  expect(a.dtype).toBe(b.dtype);
  expect(a.shape).toEqual(b.shape);
  expect([...a.data]).toEqual([...b.data]);
};

describe('npy', () => {
  it('round-trips every dtype, 0-d and empty arrays', () => {
    for (const dtype of DTYPES) {
      for (const shape of [[2, 3, 4], [], [0, 3], [5]]) {
        const t = sample(dtype, shape);
        const bytes = writeNpy(t);
        expect((bytes[8]! | (bytes[9]! << 8)) + 10).toBe(Math.ceil(((bytes[8]! | (bytes[9]! << 8)) + 10) / 64) * 64);
        expectSame(readNpy(bytes), t);
      }
    }
  });

  it('names the source in clear errors', () => {
    const good = writeNpy(sample('float32', [4]));
    expect(() => readNpy(new Uint8Array([1, 2, 3]), 'a.npy')).toThrow(/a\.npy: .*bad magic/);
    const err = (() => {
      try {
        readNpy(good.slice(0, good.length - 1), 'b.npy');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).code).toBe('CORRUPT');
    expect((err as FormatError).message).toMatch(/b\.npy: .*truncated data/);
    // Buffer's latin1 maps bytes 1:1 (TextDecoder('latin1') is windows-1252 on Node 22+: 0x93 of the magic would change)
    const complex = Buffer.from(good).toString('latin1').replace("'<f4'", "'<c8'");
    const bytes = new Uint8Array(Buffer.from(complex, 'latin1'));
    expect(() => readNpy(bytes, 'c.npy')).toThrow(/c\.npy: .npy dtype '<c8' is not supported/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(() => readNpy(v9, 'd.npy')).toThrow(/version 9\.0/);
  });

  describe.skipIf(skip)('against NumPy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-spec-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const py = (code: string, ...args: string[]) => {
      const r = spawnSync(python!, ['-c', code, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      return r.stdout;
    };

    it('reads what NumPy writes: every dtype, both byte orders, Fortran order, versions 1-3', () => {
      const script = `
import sys, numpy as np
from numpy.lib import format as f
d = sys.argv[1]
names = {'float32':'f4','float64':'f8','uint8':'u1','int8':'i1','uint16':'u2','int16':'i2','uint32':'u4','int32':'i4','uint64':'u8','int64':'i8','bool':'b1'}
for name, code in names.items():
    base = (np.arange(24).reshape(2, 3, 4) * 37 % 23 - 11)
    a = (base > 0) if name == 'bool' else (base / 7 if name.startswith('float') else np.abs(base) * 9 if name.startswith('u') else base * 5)
    for order in '<>':
        dt = np.dtype(order + code if code not in ('u1', 'i1', 'b1') else '|' + code)
        np.save(f'{d}/{name}{order}.npy', a.astype(dt))
    np.save(f'{d}/{name}F.npy', np.asfortranarray(a.astype(dt)))
np.save(f'{d}/scalar.npy', np.float64(2.5))
np.save(f'{d}/empty.npy', np.zeros((0, 3), '>i2'))
for v in (2, 3):
    with open(f'{d}/v{v}.npy', 'wb') as fh:
        f.write_array(fh, np.arange(6, dtype='<f4').reshape(2, 3), version=(v, 0))
`;
      py(script, dir);
      for (const dtype of DTYPES) {
        const base = Array.from({ length: 24 }, (_, i) => ((i * 37) % 23) - 11);
        const want = base.map((v) =>
          dtype === 'bool' ? (v > 0 ? 1 : 0) : dtype.startsWith('float') ? v / 7 : dtype.startsWith('u') ? Math.abs(v) * 9 : v * 5,
        );
        for (const suffix of ['<', '>', 'F']) {
          const t = readNpy(readFileSync(join(dir, `${dtype}${suffix}.npy`)), `${dtype}${suffix}`);
          expect(t.dtype).toBe(dtype);
          expect(t.shape).toEqual([2, 3, 4]);
          const got = Array.from({ length: 24 }, (_, i) => valueAt(t, i));
          if (dtype === 'float32') expect(got).toEqual(want.map(Math.fround));
          else expect(got).toEqual(want);
        }
      }
      const scalar = readNpy(readFileSync(join(dir, 'scalar.npy')));
      expect(scalar.shape).toEqual([]);
      expect(scalar.data[0]).toBe(2.5);
      const empty = readNpy(readFileSync(join(dir, 'empty.npy')));
      expect(empty.shape).toEqual([0, 3]);
      expect(empty.dtype).toBe('int16');
      for (const v of [2, 3]) expect([...readNpy(readFileSync(join(dir, `v${v}.npy`))).data]).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('writes what NumPy reads back', () => {
      const cases = DTYPES.flatMap((dtype) => [[2, 3, 4], [], [0, 2]].map((shape, k) => ({ file: `w-${dtype}-${k}.npy`, t: sample(dtype, shape) })));
      for (const { file, t } of cases) writeFileSync(join(dir, file), writeNpy(t));
      const out = py(
        `
import sys, json, numpy as np
res = []
for p in sys.argv[1:]:
    a = np.load(p)
    res.append({'dtype': str(a.dtype), 'shape': list(a.shape), 'values': [str(v) for v in a.ravel().tolist()]})
print(json.dumps(res))
`,
        ...cases.map((c) => join(dir, c.file)),
      );
      const got = JSON.parse(out) as { dtype: string; shape: number[]; values: string[] }[];
      cases.forEach(({ t }, i) => {
        const g = got[i]!;
        expect(g.dtype).toBe(t.dtype);
        expect(g.shape).toEqual(t.shape);
        const want = [...t.data].map((v) =>
          t.dtype === 'bool' ? (v ? 'True' : 'False') : t.dtype.startsWith('float') ? String(t.dtype === 'float32' ? Number(v) : v) : String(v),
        );
        if (t.dtype.startsWith('float')) expect(g.values.map(Number)).toEqual(want.map(Number));
        else expect(g.values).toEqual(want);
      });
    });
  });
});

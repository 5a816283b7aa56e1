import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError } from '@bioimageit/core';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { AxisDescription, ProcessingStep } from '../model-description.js';
import { readNpy, writeNpy } from '../tensor/npy.js';
import { extract, insert, makeTensor, valueAt, type Tensor } from '../tensor/tensor.js';
import { applyPlan, castValue } from './apply-plan.js';
import { planProcessing, type ProcessingPlan } from './processing-plan.js';
import { sampleSource } from './tensor-source.js';

const { python, why } = debianPython(['numpy']);
const skip = skipWithout('python', why, import.meta.url);

const AXES: AxisDescription[] = [
  { id: 'b', type: 'batch', size: 1 },
  { id: 'c', type: 'channel', size: 3 },
  { id: 'y', type: 'space', size: 17 },
  { id: 'x', type: 'space', size: 23 },
];
const SHAPE = [1, 3, 17, 23];

function image(seed: number): Tensor {
  const data = new Float32Array(3 * 17 * 23);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const c = Math.floor(i / (17 * 23));
    data[i] = ((s % 10007) / 10007) * (10 + 40 * c) + 100 * c - 30;
  }
  return makeTensor('float32', SHAPE, data);
}

const X = image(7);
const REF = image(99);
const source = (chunk = 97) => sampleSource({ raw: { tensor: X, axes: AXES }, ref: { tensor: REF, axes: AXES } }, chunk);
const plan = (steps: ProcessingStep[], chunk?: number) => planProcessing(steps, { id: 'raw', axes: AXES }, source(chunk));
const step = (id: string, kwargs: Record<string, unknown> = {}) => ({ id, kwargs }) as ProcessingStep;

/** Each case: steps, and the same processing written with NumPy the way bioimageio.core does it (float64). */
const CASES: { name: string; steps: ProcessingStep[]; numpy: string }[] = [
  {
    name: 'zmuv-per-channel',
    steps: [step('zero_mean_unit_variance', { axes: ['y', 'x'] })],
    numpy: 'm=x.mean(axis=(2,3),keepdims=True); s=x.std(axis=(2,3),keepdims=True); out=(x-m)/(s+1e-6)',
  },
  { name: 'zmuv-all', steps: [step('zero_mean_unit_variance', { eps: 1e-3 })], numpy: 'out=(x-x.mean())/(x.std()+1e-3)' },
  {
    name: 'zmuv-0.4-dataset',
    steps: [step('zero_mean_unit_variance', { mode: 'per_dataset', axes: 'xy' })],
    numpy: 'm=x.mean(axis=(0,2,3),keepdims=True); s=x.std(axis=(0,2,3),keepdims=True); out=(x-m)/(s+1e-6)',
  },
  {
    name: 'zmuv-0.4-fixed',
    steps: [step('zero_mean_unit_variance', { mode: 'fixed', axes: 'xy', mean: [1, 2, 3], std: [4, 5, 6] })],
    numpy: 'm=np.array([1,2,3.]).reshape(1,3,1,1); s=np.array([4,5,6.]).reshape(1,3,1,1); out=(x-m)/(s+1e-6)',
  },
  { name: 'fixed-scalar', steps: [step('fixed_zero_mean_unit_variance', { mean: 10.5, std: 3.25 })], numpy: 'out=(x-10.5)/(3.25+1e-6)' },
  {
    name: 'fixed-along',
    steps: [step('fixed_zero_mean_unit_variance', { axis: 'channel', mean: [1, 2, 3], std: [0.5, 1, 2] })],
    numpy: 'out=(x-np.array([1,2,3.]).reshape(1,3,1,1))/(np.array([.5,1,2]).reshape(1,3,1,1)+1e-6)',
  },
  { name: 'scale-linear', steps: [step('scale_linear', { gain: 2.5, offset: -3 })], numpy: 'out=x*2.5-3' },
  {
    name: 'scale-linear-along',
    steps: [step('scale_linear', { axis: 'channel', gain: [1, 2, 3], offset: [0.5, 0, -1] })],
    numpy: 'out=x*np.array([1,2,3.]).reshape(1,3,1,1)+np.array([.5,0,-1]).reshape(1,3,1,1)',
  },
  {
    name: 'scale-range',
    steps: [step('scale_range', { axes: ['y', 'x'], min_percentile: 1, max_percentile: 99.8 })],
    numpy: 'lo=np.quantile(x,0.01,axis=(2,3),keepdims=True); hi=np.quantile(x,0.998,axis=(2,3),keepdims=True); out=(x-lo)/(hi-lo+1e-6)',
  },
  {
    name: 'scale-range-0.4-ref',
    steps: [step('scale_range', { mode: 'per_sample', axes: 'cyx', min_percentile: 5, max_percentile: 95, reference_tensor: 'ref' })],
    numpy: 'lo=np.quantile(r,0.05); hi=np.quantile(r,0.95); out=(x-lo)/(hi-lo+1e-6)',
  },
  {
    name: 'scale-mean-variance',
    steps: [step('scale_mean_variance', { reference_tensor: 'ref', axes: ['y', 'x'] })],
    numpy: 'a=(2,3); out=(x-x.mean(axis=a,keepdims=True))/(x.std(axis=a,keepdims=True)+1e-6)*(r.std(axis=a,keepdims=True)+1e-6)+r.mean(axis=a,keepdims=True)',
  },
  { name: 'clip', steps: [step('clip', { min: 0, max: 50 })], numpy: 'out=np.clip(x,0,50)' },
  {
    name: 'clip-percentile',
    steps: [step('clip', { min_percentile: 10, max_percentile: 90, axes: ['y', 'x'] })],
    numpy: "out=np.clip(x,np.quantile(x,0.1,axis=(2,3),keepdims=True,method='inverted_cdf'),np.quantile(x,0.9,axis=(2,3),keepdims=True,method='inverted_cdf'))",
  },
  { name: 'sigmoid', steps: [step('scale_linear', { gain: 0.1 }), step('sigmoid')], numpy: 'out=1/(1+np.exp(-(x*0.1)))' },
  { name: 'binarize', steps: [step('binarize', { threshold: 40 })], numpy: 'out=x>40' },
  {
    name: 'binarize-along',
    steps: [step('binarize', { axis: 'channel', threshold: [-10, 70, 120] })],
    numpy: 'out=x>np.array([-10,70,120.]).reshape(1,3,1,1)',
  },
  {
    name: 'ensure-dtype',
    steps: [step('scale_range', { axes: ['c', 'y', 'x'] }), step('scale_linear', { gain: 255 }), step('ensure_dtype', { dtype: 'uint8' })],
    numpy: "out=((x-x.min())/(x.max()-x.min()+1e-6)*255).astype('uint8')",
  },
  {
    name: 'chain',
    steps: [
      step('scale_range', { axes: ['y', 'x'], min_percentile: 2, max_percentile: 98 }),
      step('clip', { min: 0, max: 1 }),
      step('zero_mean_unit_variance', { axes: ['b', 'y', 'x'] }),
    ],
    numpy:
      'lo=np.quantile(x,0.02,axis=(2,3),keepdims=True); hi=np.quantile(x,0.98,axis=(2,3),keepdims=True); y=np.clip((x-lo)/(hi-lo+1e-6),0,1); out=(y-x.mean(axis=(0,2,3),keepdims=True))/(x.std(axis=(0,2,3),keepdims=True)+1e-6)',
  },
];

/** Applies `p` tile by tile (tiles of 5×7, cut from the whole) and pastes the results. */
function tiled(p: ProcessingPlan, input: Tensor): Tensor {
  let out: Tensor | undefined;
  for (let y = 0; y < 17; y += 5) {
    for (let x = 0; x < 23; x += 7) {
      const start = [0, 0, y, x];
      const tile = extract(input, { start, shape: [1, 3, Math.min(5, 17 - y), Math.min(7, 23 - x)] });
      const result = applyPlan(p, tile, start);
      out ??= makeTensor(result.dtype, SHAPE);
      insert(out, result, start);
    }
  }
  return out!;
}

describe('planProcessing + applyPlan', () => {
  it('tiled application equals whole-image application for every case', async () => {
    for (const c of CASES) {
      const p = await plan(c.steps);
      const whole = applyPlan(p, X);
      const pieces = tiled(p, X);
      expect(pieces.dtype, c.name).toBe(whole.dtype);
      expect([...pieces.data], c.name).toEqual([...whole.data]);
    }
  });

  it('does not depend on how the sample is chunked for statistics', async () => {
    const steps = CASES.find((c) => c.name === 'chain')!.steps;
    const a = applyPlan(await plan(steps, 1 << 20), X);
    const b = applyPlan(await plan(steps, 11), X);
    [...a.data].forEach((v, i) => expect(Math.abs(Number(v) - Number(b.data[i]))).toBeLessThan(1e-6));
  });

  it('normalizes per channel when the channel axis is not reduced, jointly otherwise', async () => {
    const mean = (t: Tensor, c: number) => {
      let s = 0;
      for (let i = 0; i < 391; i++) s += valueAt(t, c * 391 + i);
      return s / 391;
    };
    const perChannel = applyPlan(await plan([step('zero_mean_unit_variance', { axes: ['y', 'x'] })]), X);
    for (const c of [0, 1, 2]) expect(Math.abs(mean(perChannel, c))).toBeLessThan(1e-5);
    const joint = applyPlan(await plan([step('zero_mean_unit_variance', { axes: ['channel', 'y', 'x'] })]), X);
    expect(mean(joint, 0)).toBeLessThan(-0.5);
    expect(mean(joint, 2)).toBeGreaterThan(0.5);
    expect((await plan([step('zero_mean_unit_variance', { axes: ['y', 'x'] })])).statistics[0]!.reduced).toEqual(['y', 'x']);
  });

  it('asks for no data when no step needs statistics, and reports output dtypes', async () => {
    const none = { tensor: () => undefined };
    const p = await planProcessing([step('scale_linear', { gain: 2 }), step('binarize', { threshold: 1 })], { id: 'raw', axes: AXES }, none);
    expect(p.outputDType).toBe('bool');
    expect(p.statistics).toEqual([]);
    expect((await planProcessing([step('ensure_dtype', { dtype: 'int64' })], { id: 'raw', axes: AXES }, none)).outputDType).toBe('int64');
    const i64 = applyPlan(await planProcessing([step('ensure_dtype', { dtype: 'int64' })], { id: 'raw', axes: AXES }, none), X);
    expect(i64.data).toBeInstanceOf(BigInt64Array);
    expect(i64.data[0]).toBe(BigInt(Math.trunc(valueAt(X, 0))));
  });

  it('casts like astype, saturating out of range', () => {
    expect(castValue(-1.7, 'int8')).toBe(-1);
    expect(castValue(300, 'uint8')).toBe(255);
    expect(castValue(-5, 'uint16')).toBe(0);
    expect(castValue(NaN, 'int32')).toBe(0);
    expect(castValue(NaN, 'bool')).toBe(1);
    expect(castValue(0.1, 'float32')).toBe(Math.fround(0.1));
  });

  it('rejects bad steps with BAD_MANIFEST naming the step', async () => {
    const code = async (steps: ProcessingStep[]) => {
      try {
        await plan(steps);
      } catch (e) {
        expect(e).toBeInstanceOf(ToolError);
        return `${(e as ToolError).code}: ${(e as ToolError).message}`;
      }
      return 'no error';
    };
    expect(await code([step('softmax_2', {})])).toMatch(/^BAD_MANIFEST: processing step 'softmax_2': unknown/);
    expect(await code([step('zero_mean_unit_variance', { axes: ['z'] })])).toMatch(/BAD_MANIFEST: .*'zero_mean_unit_variance'.*axis 'z'/);
    expect(await code([step('scale_range', { reference_tensor: 'nope' })])).toMatch(/BAD_MANIFEST: .*reference tensor 'nope'/);
    expect(await code([step('scale_range', { min_percentile: 50, max_percentile: 10 })])).toMatch(/BAD_MANIFEST/);
    expect(await code([step('clip', {})])).toMatch(/BAD_MANIFEST: processing step 'clip'/);
    expect(await code([step('binarize', { threshold: [1, 2] })])).toMatch(/BAD_MANIFEST: processing step 'binarize'/);
    expect(await code([step('ensure_dtype', { dtype: 'complex64' })])).toMatch(/BAD_MANIFEST/);
    const p = await plan([step('binarize', { axis: 'channel', threshold: [1, 2] })]);
    expect(() => applyPlan(p, X)).toThrow(/'binarize': 2 values along axis 1/);
  });

  describe.skipIf(skip)('against NumPy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'processing-spec-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('every step matches its NumPy formula within 1e-6 relative', async () => {
      writeFileSync(join(dir, 'x.npy'), writeNpy(X));
      writeFileSync(join(dir, 'r.npy'), writeNpy(REF));
      const script = [
        'import sys, numpy as np',
        'x = np.load(sys.argv[1]).astype("float64"); r = np.load(sys.argv[2]).astype("float64")',
        ...CASES.map((c) => `${c.numpy}\nnp.save(sys.argv[3] + "/${c.name}.npy", out)`),
      ].join('\n');
      const run = spawnSync(python!, ['-c', script, join(dir, 'x.npy'), join(dir, 'r.npy'), dir], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      for (const c of CASES) {
        const got = applyPlan(await plan(c.steps), X);
        const want = readNpy(readFileSync(join(dir, `${c.name}.npy`)), c.name);
        expect(got.shape).toEqual(want.shape);
        if (want.dtype !== 'float64') expect(got.dtype, c.name).toBe(want.dtype);
        for (let i = 0; i < want.data.length; i++) {
          const w = valueAt(want, i);
          const g = valueAt(got, i);
          if (Math.abs(g - w) > 1e-6 * Math.max(1, Math.abs(w))) expect.fail(`${c.name}[${String(i)}]: ${String(g)} vs NumPy ${String(w)}`);
        }
      }
    });
  });
});

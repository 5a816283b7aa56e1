import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { gaussianKernel, scaleNormalisedLog, secondDerivativeKernel } from './log-filter.js';

const scipy = debianPython(['numpy', 'scipy.ndimage']);
const noScipy = skipWithout('python', scipy.why === undefined ? undefined : `${scipy.why} (apt-get install python3-scipy)`, import.meta.url);

/**
 * −Σₐ σₐ² ∂²ₐ(G ∗ I) by scipy.ndimage (mode 'mirror'): with scipy's own Gaussian derivative kernels
 * (gaussian_filter, truncate 4), or, when `ours`, with this module's kernels through correlate1d.
 */
function scipyReference(data: Float64Array, shape: readonly number[], sigmas: readonly number[], ours = false): Float64Array {
  const full = (half: Float64Array): number[] => [...Array.from(half).reverse(), ...Array.from(half).slice(1)];
  const kernels = sigmas.map((s) => ({ g: full(gaussianKernel(s)), d: full(secondDerivativeKernel(s)) }));
  const script = `
import sys, json, numpy as np
from scipy import ndimage
req = json.load(sys.stdin)
x = np.array(req['data'], dtype=np.float64).reshape(req['shape'])
s = req['sigmas']
out = np.zeros_like(x)
for a in range(x.ndim):
    if req['ours']:
        term = x
        for b in range(x.ndim):
            k = req['kernels'][b]['d' if a == b else 'g']
            term = ndimage.correlate1d(term, np.array(k), axis=b, mode='mirror')
    else:
        order = [2 if i == a else 0 for i in range(x.ndim)]
        term = ndimage.gaussian_filter(x, s, order=order, mode='mirror', truncate=4.0)
    out -= s[a] ** 2 * term
json.dump(out.ravel().tolist(), sys.stdout)
`;
  const input = JSON.stringify({ data: Array.from(data), shape, sigmas, ours, kernels });
  const run = spawnSync(scipy.python!, ['-c', script], { input, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return Float64Array.from(JSON.parse(run.stdout) as number[]);
}

function randomVolume(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < a.length; k++) {
    diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
    scale = Math.max(scale, Math.abs(b[k]!));
  }
  return { diff, scale };
}

describe('kernels', () => {
  it('Gaussian sums to 1 and has variance σ²', () => {
    const g = gaussianKernel(2.5);
    let sum = g[0]!;
    let variance = 0;
    for (let k = 1; k < g.length; k++) {
      sum += 2 * g[k]!;
      variance += 2 * k * k * g[k]!;
    }
    expect(sum).toBeCloseTo(1, 12);
    expect(variance).toBeCloseTo(6.25, 2);
    expect(g.length).toBe(11);
  });

  it('second derivative sums to 0 even for a small σ, and its second moment is 2', () => {
    for (const sigma of [0.4, 1, 3]) {
      const d = secondDerivativeKernel(sigma);
      let sum = d[0]!;
      let moment = 0;
      for (let k = 1; k < d.length; k++) {
        sum += 2 * d[k]!;
        moment += 2 * k * k * d[k]!;
      }
      expect(sum).toBeCloseTo(0, 12);
      if (sigma >= 1) expect(Math.abs(moment - 2)).toBeLessThan(0.02);
    }
  });

  it('rejects a non-positive σ', () => {
    expect(() => gaussianKernel(0)).toThrow(RangeError);
  });
});

describe('scaleNormalisedLog', () => {
  it('gives a positive peak on a bright point and nothing on a flat image', () => {
    const data = new Float32Array(9 * 21 * 21).fill(5);
    expect(Math.max(...scaleNormalisedLog({ data, shape: [9, 21, 21] }, [1, 2, 2]).map(Math.abs))).toBeLessThan(1e-5);
    data[(4 * 21 + 10) * 21 + 10] = 105;
    const q = scaleNormalisedLog({ data, shape: [9, 21, 21] }, [1, 2, 2]);
    let best = 0;
    for (let k = 1; k < q.length; k++) if (q[k]! > q[best]!) best = k;
    expect(best).toBe((4 * 21 + 10) * 21 + 10);
    expect(q[best]).toBeGreaterThan(0);
  });

  it('rejects a data length that does not match the shape', () => {
    expect(() => scaleNormalisedLog({ data: new Float32Array(10), shape: [1, 3, 3] }, [1, 1, 1])).toThrow(RangeError);
  });

  it.skipIf(noScipy)('matches scipy.ndimage on an anisotropic 3-D volume', () => {
    const shape = [7, 13, 16] as const;
    const data = randomVolume(shape[0] * shape[1] * shape[2], 12345);
    const sigmas = [1.1, 1.6, 2.2] as const;
    const ours = scaleNormalisedLog({ data: Uint8Array.from(data, (v) => Math.round(v * 255)), shape }, sigmas);
    const bytes = Float64Array.from(data, (v) => Math.round(v * 255));
    // Same kernels through scipy's correlate1d: the convolutions and mirror boundaries agree exactly.
    const exact = maxAbsDiff(ours, scipyReference(bytes, shape, sigmas, true));
    expect(exact.scale).toBeGreaterThan(1);
    expect(exact.diff / exact.scale).toBeLessThan(1e-5);
    // scipy's own kernels: they differ only by our zero-sum correction of the truncated derivative.
    const own = maxAbsDiff(ours, scipyReference(bytes, shape, sigmas));
    expect(own.diff / own.scale).toBeLessThan(1e-2);
  });

  it.skipIf(noScipy)('matches scipy.ndimage on one plane', () => {
    const data = randomVolume(11 * 17, 999);
    const ours = scaleNormalisedLog({ data, shape: [1, 11, 17] }, [0, 1.3, 1.9]);
    const exact = maxAbsDiff(ours, scipyReference(data, [11, 17], [1.3, 1.9], true));
    expect(exact.diff / exact.scale).toBeLessThan(1e-5);
    const own = maxAbsDiff(ours, scipyReference(data, [11, 17], [1.3, 1.9]));
    expect(own.diff / own.scale).toBeLessThan(1e-2);
  });
});

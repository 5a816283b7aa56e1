import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPython, skipWithout } from '@bioimageit/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { AxisDescription } from '../model-description.js';
import { writeNpy } from '../tensor/npy.js';
import { makeTensor, type Tensor } from '../tensor/tensor.js';
import { computeStatistics, type StatisticsRequest } from './sample-statistics.js';
import { selectInPlace, selectRanks } from './select.js';
import { tensorSource } from './tensor-source.js';

const { python, why } = debianPython(['numpy']);
const skip = skipWithout('python', why, import.meta.url);

const AXES: AxisDescription[] = [
  { id: 'c', type: 'channel', size: 3 },
  { id: 'y', type: 'space', size: 40 },
  { id: 'x', type: 'space', size: 50 },
];

/** Integer-valued data with many ties and a different range per channel. */
function tied(): Tensor {
  const data = new Float32Array(3 * 40 * 50);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const c = Math.floor(i / 2000);
    data[i] = (s % (20 + 300 * c)) - 7 * c;
  }
  return makeTensor('float32', [3, 40, 50], data);
}

const QS = [0, 0.01, 0.05, 0.5, 0.998, 1];
const REQUESTS: StatisticsRequest[] = [
  {
    reduced: [1, 2],
    moments: true,
    quantiles: QS.flatMap((q) => [
      { q, method: 'linear' as const },
      { q, method: 'inverted_cdf' as const },
    ]),
  },
  { reduced: [0, 1, 2], moments: true, quantiles: QS.map((q) => ({ q, method: 'linear' as const })) },
  { reduced: [0, 2], moments: false, quantiles: [{ q: 0.3, method: 'linear' }] },
];

describe('order statistics', () => {
  it('selects ranks like a sort', () => {
    const values = Float64Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 1001) % 97);
    const sorted = [...values].sort((a, b) => a - b);
    for (const k of [0, 1, 500, 999, 1000]) expect(selectInPlace(values.slice(), k)).toBe(sorted[k]);
    expect(selectRanks(values.slice(), [900, 3, 450])).toEqual([sorted[900], sorted[3], sorted[450]]);
    expect(() => selectInPlace(values, 1001)).toThrow(RangeError);
  });
});

describe('computeStatistics', () => {
  it('gives the same statistics whatever the chunking and path (collected, histogram + exact bins)', async () => {
    const t = tied();
    const whole = await computeStatistics(tensorSource(t, AXES, 1 << 30), REQUESTS);
    const chunked = await computeStatistics(tensorSource(t, AXES, 37), REQUESTS);
    const histogram = await computeStatistics(tensorSource(t, AXES, 500), REQUESTS, { exactValueLimit: 3000, histogramBins: 256 });
    for (const other of [chunked, histogram]) {
      other.forEach((r, i) => {
        r.quantiles.forEach((q, k) => expect([...q]).toEqual([...whole[i]!.quantiles[k]!]));
        expect([...r.quantileError].every((e) => e === 0)).toBe(true);
        if (r.mean !== undefined) {
          r.mean.forEach((m, g) => expect(m).toBeCloseTo(whole[i]!.mean![g]!, 9));
          r.std!.forEach((m, g) => expect(m).toBeCloseTo(whole[i]!.std![g]!, 9));
        }
      });
    }
    expect(whole[0]!.groupSizes).toEqual([3]);
    expect(whole[2]!.groupAxes).toEqual([1]);
  });

  it('bounds the error when even the histogram bins are too many values', async () => {
    const t = tied();
    const exact = await computeStatistics(tensorSource(t, AXES), REQUESTS);
    const approx = await computeStatistics(tensorSource(t, AXES, 1000), REQUESTS, { exactValueLimit: 10, histogramBins: 256 });
    approx.forEach((r, i) =>
      r.quantiles.forEach((q, k) =>
        q.forEach((v, g) => {
          expect(r.quantileError[g]).toBeGreaterThan(0);
          expect(Math.abs(v - exact[i]!.quantiles[k]![g]!)).toBeLessThanOrEqual(r.quantileError[g]! + 1e-9);
        }),
      ),
    );
  });

  it('propagates NaN like NumPy', async () => {
    const t = makeTensor('float32', [2, 3], Float32Array.of(1, NaN, 3, 4, 5, 6));
    const [r] = await computeStatistics(tensorSource(t, AXES.slice(1)), [{ reduced: [1], moments: true, quantiles: [{ q: 0.5, method: 'linear' }] }]);
    expect([...r!.mean!]).toEqual([NaN, 5]);
    expect([...r!.quantiles[0]!]).toEqual([NaN, 5]);
  });

  describe.skipIf(skip)('against NumPy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stats-spec-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('matches np.mean, np.std and np.quantile (linear, inverted_cdf) exactly', async () => {
      const t = tied();
      writeFileSync(join(dir, 'x.npy'), writeNpy(t));
      const script = `
import sys, json, numpy as np
x = np.load(sys.argv[1]).astype('float64')
qs = ${JSON.stringify(QS)}
out = {}
for name, axes in (('c', (1, 2)), ('all', (0, 1, 2)), ('y', (0, 2))):
    out[name] = {'mean': x.mean(axis=axes).ravel().tolist(), 'std': x.std(axis=axes).ravel().tolist(),
                 'linear': [np.quantile(x, q, axis=axes, method='linear').ravel().tolist() for q in qs + [0.3]],
                 'inverted_cdf': [np.quantile(x, q, axis=axes, method='inverted_cdf').ravel().tolist() for q in qs]}
print(json.dumps(out))
`;
      const r = spawnSync(python!, ['-c', script, join(dir, 'x.npy')], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const ref = JSON.parse(r.stdout) as Record<string, { mean: number[]; std: number[]; linear: number[][]; inverted_cdf: number[][] }>;
      for (const budget of [undefined, 3000]) {
        const [perChannel, all, perRow] = await computeStatistics(tensorSource(t, AXES, 333), REQUESTS, { exactValueLimit: budget, histogramBins: 300 });
        const close = (got: Float64Array, want: number[]) =>
          got.forEach((v, g) => expect(Math.abs(v - want[g]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[g]!))));
        close(perChannel!.mean!, ref['c']!.mean);
        close(perChannel!.std!, ref['c']!.std);
        close(all!.mean!, ref['all']!.mean);
        close(all!.std!, ref['all']!.std);
        QS.forEach((_, k) => {
          expect([...perChannel!.quantiles[2 * k]!]).toEqual(ref['c']!.linear[k]);
          expect([...perChannel!.quantiles[2 * k + 1]!]).toEqual(ref['c']!.inverted_cdf[k]);
          expect([...all!.quantiles[k]!]).toEqual(ref['all']!.linear[k]);
        });
        expect([...perRow!.quantiles[0]!]).toEqual(ref['y']!.linear[QS.length]);
      }
    });
  });
});

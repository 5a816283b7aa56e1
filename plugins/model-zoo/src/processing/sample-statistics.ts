import { strides, toFloat64, type Tensor } from '../tensor/tensor.js';
import { forEachLine } from './line-walk.js';
import { selectRanks, type Sortable } from './select.js';

/**
 * Statistics of one whole sample tensor, streamed in chunks so that memory stays bounded: mean and
 * standard deviation (exact: Welford's update in float64), and percentiles — exact while the values
 * fit a budget, otherwise by a fine histogram followed by an exact pass over the few histogram bins
 * that hold the wanted ranks.
 */

/** A whole sample tensor, visited chunk by chunk (each chunk once per pass; passes may repeat). */
export interface SampleChunks {
  /** Shape of the whole tensor. */
  readonly shape: readonly number[];
  /**
   * Visits chunks that together cover the tensor exactly once; `offsets` is the position of the
   * chunk's first element in the whole tensor. Resolves when every visit has resolved.
   */
  forEachChunk(visit: (chunk: Tensor, offsets: readonly number[]) => void | Promise<void>): Promise<void>;
}

/**
 * How a quantile is read off the sorted values (NumPy `np.quantile` methods): `linear` interpolates
 * at virtual index `(n − 1)·q`; `inverted_cdf` takes the smallest value whose empirical CDF reaches q.
 */
export type QuantileMethod = 'linear' | 'inverted_cdf';

/** One quantile wanted. */
export interface QuantileRequest {
  /** In [0, 1]. */
  readonly q: number;
  readonly method: QuantileMethod;
}

/** Statistics wanted over one set of reduced axes. */
export interface StatisticsRequest {
  /** Positions of the axes reduced jointly; the others index the groups (e.g. one group per channel). */
  readonly reduced: readonly number[];
  /** Whether mean and standard deviation are wanted. */
  readonly moments: boolean;
  readonly quantiles: readonly QuantileRequest[];
}

/** The statistics of one request, one value per group (groups in C order over the kept axes). */
export interface GroupStatistics {
  /** Positions of the kept (not reduced) axes and their sizes. */
  readonly groupAxes: readonly number[];
  readonly groupSizes: readonly number[];
  /** Elements per group. */
  readonly count: number;
  /** Present when moments were requested. Standard deviation with ddof 0 (NumPy's default). */
  readonly mean?: Float64Array;
  readonly std?: Float64Array;
  /** One array per requested quantile, in request order. NaN for a group holding a NaN or no element. */
  readonly quantiles: readonly Float64Array[];
  /**
   * Largest possible error of any quantile of the group: 0 when exact, else the width of one
   * histogram bin ((max − min) / bins).
   */
  readonly quantileError: Float64Array;
}

/** Limits of {@link computeStatistics}. */
export interface StatisticsOptions {
  /**
   * Most values held at once to compute percentiles exactly (default 64 Mi): a sample within it is
   * collected and selected; a larger one is histogrammed first, then the values of the bins holding
   * the wanted ranks are collected (exact again while those fit).
   */
  readonly exactValueLimit?: number;
  /** Histogram bins per group for large samples (default 65536, fewer when groups are many). */
  readonly histogramBins?: number;
}

const DEFAULT_EXACT_LIMIT = 64 * 1024 * 1024;
const DEFAULT_BINS = 65536;
const MAX_HISTOGRAM_CELLS = 1 << 24;

interface RequestState {
  readonly request: StatisticsRequest;
  readonly groupStrides: number[];
  readonly groupAxes: number[];
  readonly groupSizes: number[];
  readonly groups: number;
  readonly perGroup: number;
  readonly n: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly nans: Float64Array;
  /** Exact mode: values of group g in `[g·perGroup, g·perGroup + fill[g])`. */
  values?: Sortable;
  fill?: Float64Array;
}

function valuesOf(chunk: Tensor): Float32Array | Float64Array {
  return chunk.data instanceof Float32Array || chunk.data instanceof Float64Array ? chunk.data : toFloat64(chunk);
}

/** Whether every value of `chunk`'s dtype is exact in float32. */
function fitsFloat32(chunk: Tensor): boolean {
  return ['float32', 'uint8', 'int8', 'uint16', 'int16', 'bool'].includes(chunk.dtype);
}

function checkChunk(shape: readonly number[], chunk: Tensor, offsets: readonly number[]): void {
  if (chunk.shape.length !== shape.length || offsets.length !== shape.length || chunk.shape.some((s, a) => offsets[a]! < 0 || offsets[a]! + s > shape[a]!)) {
    throw new RangeError(`chunk [${chunk.shape.join(', ')}] at [${offsets.join(', ')}] leaves the sample [${shape.join(', ')}]`);
  }
}

/** The ranks of the sorted non-NaN values that `quantile` reads, for `n` values. */
function ranksFor(quantile: QuantileRequest, n: number): number[] {
  if (quantile.method === 'inverted_cdf') return [Math.min(n - 1, Math.max(0, Math.ceil(n * quantile.q) - 1))];
  const h = (n - 1) * quantile.q;
  const lo = Math.floor(h);
  return [lo, Math.min(lo + 1, n - 1)];
}

/** The quantile from the values at its ranks (NumPy's `_lerp` for `linear`). */
function combine(quantile: QuantileRequest, n: number, at: readonly number[]): number {
  if (quantile.method === 'inverted_cdf') return at[0]!;
  const h = (n - 1) * quantile.q;
  const t = h - Math.floor(h);
  const a = at[0]!;
  const b = at[1]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Computes the statistics of every request over the whole of `source`, in one pass (two or three
 * when percentiles of a sample above `exactValueLimit` are wanted).
 *
 * Percentile error bound: exact whenever the values of the histogram bins holding the wanted ranks
 * fit `exactValueLimit` (always, short of pathological data); otherwise each such quantile is
 * interpolated within its bin and is off by at most one bin width, (max − min) / bins of its group,
 * reported in {@link GroupStatistics.quantileError}.
 */
export async function computeStatistics(
  source: SampleChunks,
  requests: readonly StatisticsRequest[],
  options: StatisticsOptions = {},
): Promise<GroupStatistics[]> {
  const shape = source.shape;
  const rank = shape.length;
  const limit = options.exactValueLimit ?? DEFAULT_EXACT_LIMIT;
  let budget = limit;
  const states: RequestState[] = requests.map((request) => {
    for (const a of request.reduced)
      if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`reduced axis ${String(a)} outside rank ${String(rank)}`);
    const reduced = new Set(request.reduced);
    const groupAxes = shape.map((_, a) => a).filter((a) => !reduced.has(a));
    const groupSizes = groupAxes.map((a) => shape[a]!);
    const inner = strides(groupSizes);
    const groupStrides = shape.map((_, a) => (reduced.has(a) ? 0 : inner[groupAxes.indexOf(a)]!));
    const groups = groupSizes.reduce((p, s) => p * s, 1);
    const perGroup = request.reduced.reduce((p, a) => p * shape[a]!, 1);
    const state: RequestState = {
      request,
      groupStrides,
      groupAxes,
      groupSizes,
      groups,
      perGroup,
      n: new Float64Array(groups),
      mean: new Float64Array(groups),
      m2: new Float64Array(groups),
      min: new Float64Array(groups).fill(Infinity),
      max: new Float64Array(groups).fill(-Infinity),
      nans: new Float64Array(groups),
    };
    if (request.quantiles.length > 0 && groups * perGroup <= budget) {
      budget -= groups * perGroup;
      state.fill = new Float64Array(groups);
    }
    return state;
  });

  await source.forEachChunk((chunk, offsets) => {
    checkChunk(shape, chunk, offsets);
    const values = valuesOf(chunk);
    for (const s of states) {
      if (s.fill !== undefined && s.values === undefined) {
        const total = s.groups * s.perGroup;
        s.values = fitsFloat32(chunk) ? new Float32Array(total) : new Float64Array(total);
      }
      const { n, mean, m2, min, max, nans, fill, perGroup } = s;
      const store = s.values;
      const step = s.groupStrides[rank - 1] ?? 0;
      forEachLine(chunk.shape, offsets, [s.groupStrides], (flat, bases, length) => {
        let g = bases[0]!;
        for (let i = 0; i < length; i++, g += step) {
          const x = values[flat + i]!;
          const k = ++n[g]!;
          const delta = x - mean[g]!;
          mean[g]! += delta / k;
          m2[g]! += delta * (x - mean[g]!);
          if (Number.isNaN(x)) {
            nans[g]!++;
            continue;
          }
          if (x < min[g]!) min[g] = x;
          if (x > max[g]!) max[g] = x;
          if (store !== undefined && fill !== undefined) store[g * perGroup + fill[g]!++] = x;
        }
      });
    }
  });

  const results: GroupStatistics[] = [];
  const large: RequestState[] = [];
  for (const s of states) {
    const std = s.request.moments ? s.m2.map((v, g) => Math.sqrt(v / s.n[g]!)) : undefined;
    const mean = s.request.moments ? s.mean.map((v, g) => (s.n[g] === 0 ? NaN : v)) : undefined;
    const quantiles = s.request.quantiles.map(() => new Float64Array(s.groups).fill(NaN));
    const quantileError = new Float64Array(s.groups);
    results.push({ groupAxes: s.groupAxes, groupSizes: s.groupSizes, count: s.perGroup, mean, std, quantiles, quantileError });
    if (s.request.quantiles.length === 0) continue;
    if (s.fill === undefined) {
      large.push(s);
      continue;
    }
    for (let g = 0; g < s.groups; g++) {
      const count = s.fill[g]!;
      if (count === 0 || s.nans[g]! > 0 || s.values === undefined) continue;
      const group = s.values.subarray(g * s.perGroup, g * s.perGroup + count);
      const wanted = s.request.quantiles.map((q) => ranksFor(q, count));
      const picked = selectRanks(group, wanted.flat());
      let at = 0;
      s.request.quantiles.forEach((q, i) => {
        const width = wanted[i]!.length;
        quantiles[i]![g] = combine(q, count, picked.slice(at, at + width));
        at += width;
      });
    }
  }
  for (const s of large) await histogramQuantiles(source, s, results[states.indexOf(s)]!, options.histogramBins ?? DEFAULT_BINS, limit);
  return results;
}

/** One histogram bin holding a wanted rank. */
interface Target {
  readonly bin: number;
  /** Elements before the bin. */
  readonly before: number;
  readonly count: number;
  values?: Float64Array;
  fill: number;
}

async function histogramQuantiles(source: SampleChunks, s: RequestState, out: GroupStatistics, requestedBins: number, limit: number): Promise<void> {
  const rank = source.shape.length;
  const bins = Math.max(256, Math.min(requestedBins, Math.floor(MAX_HISTOGRAM_CELLS / Math.max(1, s.groups))));
  const counts = new Float64Array(s.groups * bins);
  const scale = s.min.map((lo, g) => (s.max[g]! > lo ? bins / (s.max[g]! - lo) : 0));
  const step = s.groupStrides[rank - 1] ?? 0;
  const binOf = (x: number, g: number): number => Math.min(bins - 1, Math.floor((x - s.min[g]!) * scale[g]!));

  await source.forEachChunk((chunk, offsets) => {
    const values = valuesOf(chunk);
    forEachLine(chunk.shape, offsets, [s.groupStrides], (flat, bases, length) => {
      let g = bases[0]!;
      for (let i = 0; i < length; i++, g += step) {
        const x = values[flat + i]!;
        if (!Number.isNaN(x)) counts[g * bins + binOf(x, g)]!++;
      }
    });
  });

  const targets: Target[][] = [];
  const plan: { q: QuantileRequest; index: number; g: number; ranks: number[]; n: number }[] = [];
  let collected = 0;
  for (let g = 0; g < s.groups; g++) {
    const n = s.n[g]! - s.nans[g]!;
    const list: Target[] = [];
    targets.push(list);
    if (n === 0 || s.nans[g]! > 0) continue;
    s.request.quantiles.forEach((q, index) => {
      const ranks = ranksFor(q, n);
      plan.push({ q, index, g, ranks, n });
      if (s.max[g] === s.min[g]) return;
      for (const r of ranks) {
        if (list.some((t) => r >= t.before && r < t.before + t.count)) continue;
        let before = 0;
        let bin = 0;
        while (before + counts[g * bins + bin]! <= r) before += counts[g * bins + bin++]!;
        const count = counts[g * bins + bin]!;
        list.push({ bin, before, count, fill: 0 });
        collected += count;
      }
    });
  }

  const exact = collected <= limit;
  if (exact && collected > 0) {
    for (const list of targets) for (const t of list) t.values = new Float64Array(t.count);
    await source.forEachChunk((chunk, offsets) => {
      const values = valuesOf(chunk);
      forEachLine(chunk.shape, offsets, [s.groupStrides], (flat, bases, length) => {
        let g = bases[0]!;
        for (let i = 0; i < length; i++, g += step) {
          const list = targets[g]!;
          if (list.length === 0) continue;
          const x = values[flat + i]!;
          if (Number.isNaN(x)) continue;
          const bin = binOf(x, g);
          for (const t of list) if (t.bin === bin) t.values![t.fill++] = x;
        }
      });
    });
  }

  for (const { q, index, g, ranks, n } of plan) {
    const width = (s.max[g]! - s.min[g]!) / bins;
    const at = ranks.map((r) => {
      if (s.max[g] === s.min[g]) return s.min[g]!;
      const t = targets[g]!.find((c) => r >= c.before && r < c.before + c.count)!;
      if (exact && t.values !== undefined) return selectRanks(t.values, [r - t.before])[0]!;
      return s.min[g]! + (t.bin + (r - t.before + 0.5) / t.count) * width;
    });
    out.quantiles[index]![g] = combine(q, n, at);
    if (!exact) out.quantileError[g] = width;
  }
}

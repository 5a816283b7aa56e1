/** The values mapped to black (`low`) and white (`high`). */
export interface DisplayRange {
  readonly low: number;
  readonly high: number;
}

/** Values sorted to find percentiles; bigger images are sampled evenly down to this many. */
const MAX_SAMPLES = 1 << 20;

/**
 * The `p`-th percentile (0–100) of ascending `sorted` values, interpolated linearly between the
 * closest ranks (numpy's default). NaN for no values.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const at = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  const lo = sorted[below] as number;
  return lo + (at - below) * ((sorted[above] as number) - lo);
}

/**
 * The display range of `values`: their `lowPct` and `highPct` percentiles over finite values
 * (an evenly spaced sample of at most 2^20 values for bigger images). When those coincide (a
 * mask that is mostly 0) the minimum and maximum are used instead, so sparse objects stay
 * visible. Undefined when no value is finite.
 */
export function displayRange(values: Float32Array, lowPct: number, highPct: number): DisplayRange | undefined {
  const count = Math.min(values.length, MAX_SAMPLES);
  const step = values.length / count;
  const sample = new Float64Array(count);
  let n = 0;
  for (let k = 0; k < count; k++) {
    const v = values[Math.floor(k * step)] as number;
    if (Number.isFinite(v)) sample[n++] = v;
  }
  if (n === 0) return undefined;
  const sorted = sample.subarray(0, n).sort();
  const low = percentile(sorted, lowPct);
  const high = percentile(sorted, highPct);
  return high > low ? { low, high } : { low: sorted[0] as number, high: sorted[n - 1] as number };
}

/**
 * Maps values linearly from `range` onto 0–255, clamping outside it (NaN reads as 0). A flat
 * range (high equal to low: a constant image) maps everything to 0.
 */
export function stretchToBytes(values: Float32Array, range: DisplayRange | undefined): Uint8ClampedArray {
  const out = new Uint8ClampedArray(values.length);
  if (range === undefined || !(range.high > range.low)) return out;
  const scale = 255 / (range.high - range.low);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    out[i] = v !== v ? 0 : Math.round((v - range.low) * scale);
  }
  return out;
}

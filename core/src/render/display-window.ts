import type { ChannelWindow } from './channel-display.js';

/** Values kept from one plane when choosing a window (taken at an even stride). */
const SAMPLES_PER_PLANE = 65_536;
/** Values kept in all (further planes thin the sample already kept). */
const MAX_SAMPLES = 1_048_576;

/**
 * Chooses a display window from the values of many planes (a whole stack) without holding them:
 * each plane adds an evenly strided sample of its finite values (NaN and ±Infinity are ignored),
 * and the window is then the `low`/`high` quantiles of the sample. The exact minimum and maximum
 * of all values are kept too.
 */
export class WindowSampler {
  private sample: number[] = [];
  private min = Infinity;
  private max = -Infinity;

  /** Adds the values of one plane (or any run of values); `stride` > 1 looks at every stride-th value only (e.g. one sample of RGB pixels). */
  add(values: ArrayLike<number>, offset = 0, stride = 1): void {
    const n = Math.floor((values.length - offset + stride - 1) / stride);
    const step = Math.max(1, Math.floor(n / SAMPLES_PER_PLANE));
    for (let i = 0; i < n; i++) {
      const v = values[offset + i * stride] as number;
      if (!Number.isFinite(v)) continue;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
      if (i % step === 0) this.sample.push(v);
    }
    if (this.sample.length > MAX_SAMPLES) this.sample = this.sample.filter((_, i) => i % 2 === 0);
  }

  /**
   * The window between the `low` and `high` quantiles (0–1; default 0.1 % and 99.9 %). A sample
   * whose quantiles coincide widens to its extremes, and a constant one to `[v, v + 1]`; no finite
   * value at all gives `[0, 1]`.
   */
  window(low = 0.001, high = 0.999): ChannelWindow {
    if (this.sample.length === 0) return { start: 0, end: 1, min: 0, max: 1 };
    const sorted = Float64Array.from(this.sample).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
    let start = at(low);
    let end = at(high);
    if (end <= start) {
      start = this.min;
      end = this.max;
    }
    if (end <= start) end = start + 1;
    return { start, end, min: this.min, max: this.max };
  }
}

/** The window of one run of values ({@link WindowSampler} with a single plane). */
export function valuesWindow(values: ArrayLike<number>, low = 0.001, high = 0.999): ChannelWindow {
  const sampler = new WindowSampler();
  sampler.add(values);
  return sampler.window(low, high);
}

/**
 * Otsu's global threshold (Otsu 1979), shared by the bundled threshold tool (pixel values) and spot
 * detection (spot qualities, as TrackMate's "auto" threshold).
 */

/** Most bins an integer image gets one value per bin; wider ranges use {@link FLOAT_BINS} bins. */
const MAX_EXACT_BINS = 65536;
const FLOAT_BINS = 256;

/**
 * Otsu's threshold of the finite values in `data`: the split of their histogram that maximizes the
 * between-class variance. Integer data up to 65,536 distinct levels get one histogram bin per
 * level (exact); other data get 256 equal bins between the minimum and the maximum. When several
 * splits tie (an empty gap between two modes), the middle one is taken. Foreground is
 * `value > threshold`; a constant image returns its value (no foreground).
 * `integer`: whether the values are integers (default: guessed from the array type).
 */
export function otsuThreshold(data: ArrayLike<number>, integer = !(data instanceof Float32Array || data instanceof Float64Array)): number {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min < max)) {
    if (min === Infinity) throw new Error('the image holds no finite values');
    return min;
  }
  const exact = integer && max - min + 1 <= MAX_EXACT_BINS;
  const bins = exact ? max - min + 1 : FLOAT_BINS;
  const width = exact ? 1 : integer ? Math.ceil((max - min + 1) / FLOAT_BINS) : (max - min) / FLOAT_BINS;
  const hist = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) continue;
    hist[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
    total += 1;
  }
  let sumAll = 0;
  for (let k = 0; k < bins; k++) sumAll += k * hist[k]!;
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let first = 0;
  let last = 0;
  for (let k = 0; k < bins - 1; k++) {
    w0 += hist[k]!;
    sum0 += k * hist[k]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const diff = sum0 / w0 - (sumAll - sum0) / w1;
    const between = w0 * w1 * diff * diff;
    if (between > best * (1 + 1e-12)) {
      best = between;
      first = last = k;
    } else if (between >= best * (1 - 1e-12)) {
      last = k;
    }
  }
  const split = Math.floor((first + last) / 2);
  return integer ? min + (split + 1) * width - 1 : min + (split + 1) * width;
}

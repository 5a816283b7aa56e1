/** Order statistics of numeric arrays without sorting them (percentiles of large samples). */

/** A numeric array that can be reordered in place. */
export type Sortable = Float32Array | Float64Array;

/**
 * Reorders `values[from, to)` so that the element at `k` is the one a sort would put there, with no
 * larger element before it and no smaller one after (C++ `nth_element`; Hoare partitioning with a
 * median-of-three pivot). Expected linear time. NaN values must have been removed.
 */
export function selectInPlace(values: Sortable, k: number, from = 0, to = values.length): number {
  if (k < from || k >= to) throw new RangeError(`rank ${String(k)} outside [${String(from)}, ${String(to)})`);
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    const a = values[lo]!;
    const b = values[mid]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

/**
 * The elements of ascending ranks `ranks` (each in `[0, values.length)`) of `values`, which is
 * reordered. Later ranks are selected among the elements after earlier ones.
 */
export function selectRanks(values: Sortable, ranks: readonly number[]): number[] {
  const order = ranks.map((r, i) => [r, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(ranks.length);
  let from = 0;
  for (const [rank, i] of order) {
    out[i] = selectInPlace(values, rank, from);
    from = rank;
  }
  return out;
}

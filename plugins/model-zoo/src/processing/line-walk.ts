/**
 * The inner loop shared by statistics and application: a C-order walk over a chunk of a larger
 * tensor, one line (run along the last axis) at a time, with the running index into any number of
 * parameter fields laid out over the whole sample's coordinates.
 */

/**
 * Calls `visit(flat, bases, length)` for every line of a chunk of shape `shape` whose first element
 * sits at `offsets` in the whole sample. `fieldStrides[f][a]` is the step of field `f`'s index per
 * unit of whole-sample coordinate `a`; `bases[f]` is field `f`'s index at the line's first element
 * (advance it by `fieldStrides[f][last]` per element). `flat` is the C-order index of that element in
 * the chunk. A 0-d chunk is one line of length 1. `bases` is reused between calls.
 */
export function forEachLine(
  shape: readonly number[],
  offsets: readonly number[],
  fieldStrides: readonly (readonly number[])[],
  visit: (flat: number, bases: Float64Array, length: number) => void,
): void {
  const rank = shape.length;
  const fields = fieldStrides.length;
  const bases = new Float64Array(fields);
  if (shape.some((s) => s === 0)) return;
  if (rank === 0) {
    visit(0, bases, 1);
    return;
  }
  const last = rank - 1;
  const length = shape[last]!;
  for (let f = 0; f < fields; f++) {
    let b = 0;
    for (let a = 0; a < rank; a++) b += offsets[a]! * fieldStrides[f]![a]!;
    bases[f] = b;
  }
  const index = new Array<number>(rank).fill(0);
  let flat = 0;
  for (;;) {
    visit(flat, bases, length);
    flat += length;
    let a = last - 1;
    while (a >= 0) {
      index[a]!++;
      for (let f = 0; f < fields; f++) bases[f]! += fieldStrides[f]![a]!;
      if (index[a]! < shape[a]!) break;
      for (let f = 0; f < fields; f++) bases[f]! -= fieldStrides[f]![a]! * shape[a]!;
      index[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

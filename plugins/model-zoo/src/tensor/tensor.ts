/**
 * Dense n-dimensional arrays in C order (last axis fastest), as model test tensors, ONNX Runtime
 * inputs/outputs and tiles are. Plain readonly values: helpers return new tensors, never mutate
 * their arguments (except {@link insert}, which writes into its target).
 */

/** Element types (NumPy / bioimage.io names). `bool` is stored as 0/1 bytes. */
export type DType = 'float32' | 'float64' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'int64' | 'uint64' | 'bool';

/** Every element type, in a stable order. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'int64', 'uint64', 'bool'];

/** The storage of one dtype: 64-bit integers are BigInt arrays, `bool` a Uint8Array of 0/1. */
export type TensorData =
  Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigInt64Array | BigUint64Array;

/** A dense tensor in C order: `data.length` equals the product of `shape` (1 for a 0-d tensor). */
export interface Tensor {
  readonly data: TensorData;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A box of a tensor: `start` and `shape` per axis (same rank as the tensor). */
export interface Box {
  readonly start: readonly number[];
  readonly shape: readonly number[];
}

/** How {@link extract} fills the parts of a box outside the tensor (NumPy `np.pad` modes). */
export type PadMode = 'zeros' | 'edge' | 'reflect' | 'symmetric';

type Cells = { [index: number]: number | bigint };

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  switch (dtype) {
    case 'uint8':
    case 'int8':
    case 'bool':
      return 1;
    case 'uint16':
    case 'int16':
      return 2;
    case 'float32':
    case 'uint32':
    case 'int32':
      return 4;
    case 'float64':
    case 'int64':
    case 'uint64':
      return 8;
  }
}

/** Number of elements of `shape` (1 for `[]`). Throws a RangeError on a negative or fractional size. */
export function size(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`bad tensor size ${String(s)} in shape [${shape.join(', ')}]`);
    n *= s;
  }
  return n;
}

/** Element strides of a C-order array of `shape` (last axis 1). */
export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let step = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    out[a] = step;
    step *= shape[a]!;
  }
  return out;
}

/** A new zero-filled storage of `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'uint8':
    case 'bool':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint64':
      return new BigUint64Array(n);
  }
}

/** Whether `data` is the storage class of `dtype`. */
function storageMatches(dtype: DType, data: TensorData): boolean {
  return data.constructor === allocate(dtype, 0).constructor;
}

/**
 * A tensor of `dtype` and `shape` over `data` (not copied), or over new zeros when `data` is
 * omitted. Throws a RangeError when the storage class or length does not match.
 */
export function makeTensor(dtype: DType, shape: readonly number[], data?: TensorData): Tensor {
  const n = size(shape);
  const storage = data ?? allocate(dtype, n);
  if (!storageMatches(dtype, storage)) throw new RangeError(`${storage.constructor.name} cannot hold ${dtype} elements`);
  if (storage.length !== n) throw new RangeError(`${String(storage.length)} elements for shape [${shape.join(', ')}] (${String(n)} expected)`);
  return { data: storage, shape: [...shape], dtype };
}

/** Element `flat` (C-order index) as a number (64-bit integers beyond 2^53 lose precision). */
export function valueAt(t: Tensor, flat: number): number {
  return Number(t.data[flat]!);
}

/** The elements as a Float32Array: the tensor's own storage when it is float32, else a converted copy. */
export function toFloat32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]!);
  } else {
    out.set(t.data);
  }
  return out;
}

/** The elements as a Float64Array: the tensor's own storage when it is float64, else a converted copy. */
export function toFloat64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const out = new Float64Array(t.data.length);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]!);
  } else {
    out.set(t.data);
  }
  return out;
}

/** `t` as a float32 tensor (itself when it already is one). */
export function asFloat32(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : makeTensor('float32', t.shape, toFloat32(t));
}

function checkOrder(rank: number, order: readonly number[]): void {
  const seen = new Set(order);
  if (order.length !== rank || seen.size !== rank || order.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) {
    throw new RangeError(`axis order [${order.join(', ')}] is not a permutation of ${String(rank)} axes`);
  }
}

/**
 * Calls `visit(dst, src)` for every element of an n-d walk over `shape`, where `dst` advances by
 * `dstStrides` and `src` by `srcStrides` per axis; the innermost axis runs in a tight loop.
 */
function walk(
  shape: readonly number[],
  dstStart: number,
  dstStrides: readonly number[],
  srcStart: number,
  srcStrides: readonly number[],
  run: (dst: number, src: number, length: number, dstStep: number, srcStep: number) => void,
): void {
  const rank = shape.length;
  if (size(shape) === 0) return;
  if (rank === 0) {
    run(dstStart, srcStart, 1, 1, 1);
    return;
  }
  const last = rank - 1;
  const index = new Array<number>(rank).fill(0);
  let dst = dstStart;
  let src = srcStart;
  for (;;) {
    run(dst, src, shape[last]!, dstStrides[last]!, srcStrides[last]!);
    let a = last - 1;
    while (a >= 0) {
      index[a]!++;
      dst += dstStrides[a]!;
      src += srcStrides[a]!;
      if (index[a]! < shape[a]!) break;
      dst -= dstStrides[a]! * shape[a]!;
      src -= srcStrides[a]! * shape[a]!;
      index[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

function copyRun(dst: Cells, src: Cells): (d: number, s: number, n: number, ds: number, ss: number) => void {
  return (d, s, n, ds, ss) => {
    for (let i = 0; i < n; i++) dst[d + i * ds] = src[s + i * ss]!;
  };
}

/**
 * The axes of `t` permuted: axis `k` of the result is axis `order[k]` of `t` (NumPy
 * `np.transpose(t, order)`), as a new C-order tensor. Throws a RangeError when `order` is not a
 * permutation of the axes.
 */
export function transpose(t: Tensor, order: readonly number[]): Tensor {
  checkOrder(t.shape.length, order);
  const shape = order.map((a) => t.shape[a]!);
  const out = makeTensor(t.dtype, shape);
  const src = strides(t.shape);
  walk(
    shape,
    0,
    strides(shape),
    0,
    order.map((a) => src[a]!),
    copyRun(out.data as Cells, t.data as Cells),
  );
  return out;
}

function checkBox(t: Tensor, box: Box, what: string, inside: boolean): void {
  const rank = t.shape.length;
  if (box.start.length !== rank || box.shape.length !== rank) {
    throw new RangeError(`${what} box of rank ${String(box.start.length)}/${String(box.shape.length)} for a tensor of rank ${String(rank)}`);
  }
  for (let a = 0; a < rank; a++) {
    const start = box.start[a]!;
    const extent = box.shape[a]!;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(extent) || extent < 0) throw new RangeError(`${what} box has a bad extent on axis ${String(a)}`);
    if (inside && (start < 0 || start + extent > t.shape[a]!)) {
      throw new RangeError(`${what} box [${String(start)}, ${String(start + extent)}) leaves axis ${String(a)} of size ${String(t.shape[a])}`);
    }
  }
}

/** Source index for `i` on an axis of `n` elements under `mode`, or -1 for a zero. */
function padIndex(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'zeros' || n === 0) return -1;
  if (mode === 'edge') return i < 0 ? 0 : n - 1;
  if (mode === 'reflect') {
    if (n === 1) return 0;
    const period = 2 * (n - 1);
    const m = ((i % period) + period) % period;
    return m < n ? m : period - m;
  }
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/**
 * A copy of the box `box` of `t`. A box reaching outside `t` is filled by `pad` (NumPy `np.pad`
 * modes: `zeros`, `edge`, `reflect` without repeating the border element, `symmetric` repeating it);
 * without `pad`, such a box throws a RangeError. Tiling uses this to cut tiles with halos.
 */
export function extract(t: Tensor, box: Box, pad?: PadMode): Tensor {
  checkBox(t, box, 'extract', pad === undefined);
  const out = makeTensor(t.dtype, box.shape);
  const rank = t.shape.length;
  const inside = box.start.every((s, a) => s >= 0 && s + box.shape[a]! <= t.shape[a]!);
  const src = strides(t.shape);
  if (inside) {
    const start = box.start.reduce((acc, s, a) => acc + s * src[a]!, 0);
    walk(box.shape, 0, strides(box.shape), start, src, copyRun(out.data as Cells, t.data as Cells));
    return out;
  }
  const maps = box.shape.map((n, a) => Int32Array.from({ length: n }, (_, i) => padIndex(box.start[a]! + i, t.shape[a]!, pad ?? 'zeros')));
  const dstData = out.data as Cells;
  const srcData = t.data as Cells;
  const zero = typeof srcData[0] === 'bigint' ? 0n : 0;
  const total = out.data.length;
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let s = 0;
    for (let a = 0; a < rank; a++) {
      const m = maps[a]![index[a]!]!;
      if (m < 0) {
        s = -1;
        break;
      }
      s += m * src[a]!;
    }
    dstData[flat] = s < 0 ? zero : srcData[s]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a]! < box.shape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

/**
 * Pastes the box `from` of `source` (all of it by default) into `target` with its first element at
 * `at`, in place. Both must have the same dtype and rank and the box must fit both; throws a
 * RangeError otherwise. Tiling uses this to assemble the valid part of each output tile.
 */
export function insert(target: Tensor, source: Tensor, at: readonly number[], from?: Box): void {
  if (target.dtype !== source.dtype) throw new RangeError(`cannot paste ${source.dtype} into ${target.dtype}`);
  const box = from ?? { start: source.shape.map(() => 0), shape: source.shape };
  checkBox(source, box, 'source', true);
  checkBox(target, { start: at, shape: box.shape }, 'target', true);
  const src = strides(source.shape);
  const dst = strides(target.shape);
  const srcStart = box.start.reduce((acc, s, a) => acc + s * src[a]!, 0);
  const dstStart = at.reduce((acc, s, a) => acc + s * dst[a]!, 0);
  walk(box.shape, dstStart, dst, srcStart, src, copyRun(target.data as Cells, source.data as Cells));
}

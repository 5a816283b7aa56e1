import { ToolError } from '@bioimageit/core';
import { allocate, makeTensor, type DType, type Tensor } from '../tensor/tensor.js';
import { forEachLine } from './line-walk.js';
import type { ParameterField, ProcessingPlan } from './processing-plan.js';

/**
 * Phase two of two-phase processing: the operations of a {@link ProcessingPlan} applied elementwise
 * to one tile. Every value runs through all operations in float64 and is stored once, in the plan's
 * output dtype; since parameters are indexed by whole-sample coordinates, a tiled result equals the
 * whole-image result element for element.
 */

const RANGES: Partial<Record<DType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
  // the largest doubles that fit the 64-bit types
  int64: [-9223372036854775808, 9223372036854774784],
  uint64: [0, 18446744073709549568],
};

/**
 * `x` cast to `dtype` as NumPy's `astype` does for in-range values (bioimageio.core's `ensure_dtype`):
 * float32 rounds to nearest; integers truncate toward zero; bool is `x != 0` (NaN is true). NumPy
 * leaves out-of-range and NaN float-to-integer casts undefined; here they saturate at the type's
 * bounds and NaN becomes 0.
 */
export function castValue(x: number, dtype: DType): number {
  if (dtype === 'float64') return x;
  if (dtype === 'float32') return Math.fround(x);
  if (dtype === 'bool') return x !== 0 ? 1 : 0;
  if (Number.isNaN(x)) return 0;
  const [lo, hi] = RANGES[dtype]!;
  return Math.trunc(Math.min(hi, Math.max(lo, x)));
}

interface BoundField {
  readonly values: Float64Array;
  readonly strides: number[];
}

function bind(field: ParameterField, shape: readonly number[], offsets: readonly number[], step: string): BoundField {
  const strides = shape.map(() => 0);
  let stride = 1;
  for (let k = field.along.length - 1; k >= 0; k--) {
    const { axis, size } = field.along[k]!;
    if (axis >= shape.length)
      throw new ToolError('BAD_MANIFEST', `processing step '${step}': parameter axis ${String(axis)} outside the tile`, { details: { step } });
    if (size !== 1) {
      if (offsets[axis]! + shape[axis]! > size) {
        throw new ToolError(
          'BAD_MANIFEST',
          `processing step '${step}': ${String(size)} values along axis ${String(axis)}, but the tensor reaches index ${String(offsets[axis]! + shape[axis]! - 1)} there`,
          { details: { step } },
        );
      }
      strides[axis] = stride;
    }
    stride *= size;
  }
  if (field.values.length !== stride) throw new RangeError(`parameter of '${step}' has ${String(field.values.length)} values for sizes ${String(stride)}`);
  return { values: field.values, strides };
}

/**
 * Applies `plan` to `tile`, whose first element sits at `offsets` (default: the origin) in the whole
 * sample the plan was made for. `tile` has the plan's axes; any dtype (normally float32). Returns a
 * new tensor of `plan.outputDType`: float32 after arithmetic, `bool` after a final `binarize`
 * (`x > threshold`), the `ensure_dtype` dtype after a final cast (BigInt storage for 64-bit
 * integers).
 *
 * @throws ToolError `BAD_MANIFEST` when a per-entry parameter (thresholds, gains, per-channel
 *   statistics) has fewer entries than the tile's axis needs; RangeError on a rank mismatch.
 */
export function applyPlan(plan: ProcessingPlan, tile: Tensor, offsets?: readonly number[]): Tensor {
  const shape = tile.shape;
  const at = offsets ?? shape.map(() => 0);
  if (shape.length !== plan.axes.length || at.length !== shape.length) {
    throw new RangeError(`tile of rank ${String(shape.length)} (offsets ${String(at.length)}) for tensor '${plan.tensor}' of rank ${String(plan.axes.length)}`);
  }
  const work = new Float64Array(tile.data.length);
  if (tile.data instanceof BigInt64Array || tile.data instanceof BigUint64Array) for (let i = 0; i < work.length; i++) work[i] = Number(tile.data[i]!);
  else work.set(tile.data);
  const last = shape.length - 1;

  for (const op of plan.operations) {
    switch (op.kind) {
      case 'sigmoid':
        for (let i = 0; i < work.length; i++) work[i] = 1 / (1 + Math.exp(-work[i]!));
        break;
      case 'cast':
        for (let i = 0; i < work.length; i++) work[i] = castValue(work[i]!, op.dtype);
        break;
      case 'binarize': {
        const t = bind(op.threshold, shape, at, op.step);
        const step = t.strides[last] ?? 0;
        forEachLine(shape, at, [t.strides], (flat, bases, length) => {
          for (let i = 0, k = bases[0]!; i < length; i++, k += step) work[flat + i] = work[flat + i]! > t.values[k]! ? 1 : 0;
        });
        break;
      }
      case 'clip': {
        const fields = [op.min, op.max].map((f) => (f === undefined ? undefined : bind(f, shape, at, op.step)));
        const [min, max] = fields;
        const steps = fields.map((f) => f?.strides[last] ?? 0);
        forEachLine(
          shape,
          at,
          fields.map((f) => f?.strides ?? shape.map(() => 0)),
          (flat, bases, length) => {
            for (let i = 0, lo = bases[0]!, hi = bases[1]!; i < length; i++, lo += steps[0]!, hi += steps[1]!) {
              let x = work[flat + i]!;
              if (min !== undefined && x < min.values[lo]!) x = min.values[lo]!;
              if (max !== undefined && x > max.values[hi]!) x = max.values[hi]!;
              work[flat + i] = x;
            }
          },
        );
        break;
      }
      case 'affine': {
        const fields = [op.subtract, op.divide, op.multiply, op.add].map((f) => bind(f, shape, at, op.step));
        const [sub, div, mul, add] = fields.map((f) => f.values) as [Float64Array, Float64Array, Float64Array, Float64Array];
        const [s0, s1, s2, s3] = fields.map((f) => f.strides[last] ?? 0) as [number, number, number, number];
        forEachLine(
          shape,
          at,
          fields.map((f) => f.strides),
          (flat, bases, length) => {
            let a = bases[0]!;
            let b = bases[1]!;
            let c = bases[2]!;
            let d = bases[3]!;
            for (let i = 0; i < length; i++, a += s0, b += s1, c += s2, d += s3) {
              work[flat + i] = ((work[flat + i]! - sub[a]!) / div[b]!) * mul[c]! + add[d]!;
            }
          },
        );
        break;
      }
    }
  }

  const dtype = plan.outputDType;
  if (dtype === 'float64') return makeTensor('float64', shape, work);
  const out = allocate(dtype, work.length);
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < work.length; i++) out[i] = BigInt(castValue(work[i]!, dtype));
  } else if (out instanceof Float32Array) {
    out.set(work);
  } else {
    for (let i = 0; i < work.length; i++) out[i] = castValue(work[i]!, dtype);
  }
  return makeTensor(dtype, shape, out);
}

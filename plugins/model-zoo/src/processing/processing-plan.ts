import { ToolError } from '@bioimageit/core';
import type { AxisDescription, ProcessingStep, TensorDescription } from '../model-description.js';
import { DTYPES, type DType } from '../tensor/tensor.js';
import { axisKey, describedAxisKey, findAxis } from './axis-reference.js';
import {
  computeStatistics,
  type GroupStatistics,
  type QuantileMethod,
  type SampleChunks,
  type StatisticsOptions,
  type StatisticsRequest,
} from './sample-statistics.js';

/**
 * Phase one of two-phase processing: the statistics every step needs are computed from the WHOLE
 * sample (streamed), so that phase two ({@link applyPlan}) is elementwise and tiles can be
 * processed one at a time with results identical to processing the whole image.
 *
 * Semantics follow bioimageio.core (`proc_ops.py`, `proc_setup.py`):
 * - statistics are those of the tensors as they arrive, before any step runs (bioimageio.core
 *   computes every measure of a sample first, then applies the steps), also for a step that follows
 *   another one;
 * - `axes` name the axes reduced jointly; axes left out index separate statistics (per channel when
 *   the channel axis is left out); no `axes` reduces all axes. 0.4 axes strings (`'xy'`) are letters;
 *   0.4 `mode: per_dataset` adds the batch axis (and 0.5 axes containing batch select "dataset"
 *   statistics). This plugin processes one sample at a time with batch size 1, so per-dataset
 *   statistics are those of this one sample: per_dataset behaves as per_sample;
 * - mean and standard deviation (ddof 0) are exact; `eps` defaults to 1e-6;
 * - percentiles: `scale_range` uses NumPy's `linear` method; `clip` with percentiles uses
 *   `inverted_cdf` for per-sample axes and `linear` for dataset axes (no axes, or axes with batch),
 *   as bioimageio.core does. Exact (see {@link computeStatistics} for samples beyond the budget).
 */

/** One source tensor of a sample, streamed whole for statistics. */
export interface SampleTensorSource extends SampleChunks {
  /** Its axes (used to resolve the axis names of kwargs and to align reference statistics). */
  readonly axes: readonly AxisDescription[];
}

/**
 * The tensors of the sample being processed, by tensor id: the processed tensor itself and any
 * `reference_tensor`. Called only for tensors whose statistics some step needs.
 */
export interface StatisticsSource {
  tensor(id: string): SampleTensorSource | undefined | Promise<SampleTensorSource | undefined>;
}

/**
 * Values of one parameter over the whole sample: a scalar (no axes) or an array in C order over
 * `along` (positions of axes of the processed tensor, with their sizes; a size-1 entry broadcasts).
 */
export interface ParameterField {
  readonly values: Float64Array;
  readonly along: readonly { readonly axis: number; readonly size: number }[];
}

/** One elementwise operation of a plan; `step` is the rdf step it comes from. */
export type PlannedOperation =
  | {
      /** `(x − subtract) / divide · multiply + add`. */
      readonly kind: 'affine';
      readonly step: ProcessingStep['id'];
      readonly subtract: ParameterField;
      readonly divide: ParameterField;
      readonly multiply: ParameterField;
      readonly add: ParameterField;
    }
  | { readonly kind: 'clip'; readonly step: 'clip'; readonly min?: ParameterField; readonly max?: ParameterField }
  | { readonly kind: 'binarize'; readonly step: 'binarize'; readonly threshold: ParameterField }
  | { readonly kind: 'sigmoid'; readonly step: 'sigmoid' }
  | { readonly kind: 'cast'; readonly step: 'ensure_dtype'; readonly dtype: DType };

/** A statistic the plan computed (for reports and tests). */
export interface PlannedStatistic {
  readonly tensor: string;
  /** Canonical keys of the reduced axes. */
  readonly reduced: readonly string[];
  readonly statistics: GroupStatistics;
}

/** What {@link applyPlan} needs: elementwise operations with every parameter resolved. */
export interface ProcessingPlan {
  /** The processed tensor's id and axes. */
  readonly tensor: string;
  readonly axes: readonly AxisDescription[];
  readonly operations: readonly PlannedOperation[];
  /** Dtype of the result for a float32 tile (see {@link applyPlan}). */
  readonly outputDType: DType;
  readonly statistics: readonly PlannedStatistic[];
}

/** Options of {@link planProcessing}. */
export type PlanOptions = StatisticsOptions;

const DEFAULT_EPS = 1e-6;

interface Measure {
  readonly tensor: string;
  readonly reduced: readonly number[];
  moments: boolean;
  readonly quantiles: { q: number; method: QuantileMethod }[];
  source?: SampleTensorSource;
  result?: GroupStatistics;
}

/** A parameter waiting for statistics: a statistic of a measure, or a constant. */
type Pending =
  | { readonly constant: ParameterField }
  | { readonly measure: Measure; readonly take: 'mean' | 'std' | number; readonly plusEps?: number; readonly minus?: Pending; readonly plus?: number };

function bad(step: string, why: string): never {
  throw new ToolError('BAD_MANIFEST', `processing step '${step}': ${why}`, { details: { step } });
}

const scalar = (value: number): ParameterField => ({ values: Float64Array.of(value), along: [] });

function numberArg(step: string, kwargs: Readonly<Record<string, unknown>>, key: string, fallback?: number): number {
  const v = kwargs[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) bad(step, `missing '${key}'`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(step, `'${key}' must be a number`);
  return v;
}

function numbersArg(step: string, kwargs: Readonly<Record<string, unknown>>, key: string, fallback?: number): number | number[] {
  const v = kwargs[key];
  if (Array.isArray(v)) {
    if (v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) bad(step, `'${key}' must be a number or a non-empty list of numbers`);
    return v as number[];
  }
  return numberArg(step, kwargs, key, fallback);
}

function epsArg(step: string, kwargs: Readonly<Record<string, unknown>>): number {
  const eps = numberArg(step, kwargs, 'eps', DEFAULT_EPS);
  if (eps <= 0 || eps > 0.1) bad(step, `'eps' ${String(eps)} outside (0, 0.1]`);
  return eps;
}

/** Axis names from 0.5 `axes` (list) or 0.4 `axes` (string of letters, with `mode`), or undefined for all axes. */
function axesArg(step: string, kwargs: Readonly<Record<string, unknown>>): string[] | undefined {
  const v = kwargs['axes'];
  let names: string[];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') names = [...v];
  else if (Array.isArray(v) && v.every((a) => typeof a === 'string')) names = [...(v as string[])];
  else return bad(step, "'axes' must be a list of axis ids or a string of axis letters");
  if (kwargs['mode'] === 'per_dataset' && !names.some((n) => axisKey(n) === 'b')) names.unshift('b');
  return names;
}

/** Positions of the named axes of `axes` (all when `names` is undefined); a missing batch axis is ignored. */
function resolveReduced(step: string, axes: readonly AxisDescription[], names: readonly string[] | undefined, tensor: string): number[] {
  if (names === undefined) return axes.map((_, a) => a);
  const out = new Set<number>();
  for (const name of names) {
    const a = findAxis(axes, name);
    if (a < 0) {
      if (axisKey(name) === 'b') continue;
      bad(step, `axis '${name}' is not an axis of tensor '${tensor}' (${axes.map((x) => x.id).join(', ')})`);
    }
    out.add(a);
  }
  return [...out].sort((x, y) => x - y);
}

/** A per-entry parameter along the axis `axisName` (0.5 `axis`) of the processed tensor. */
function alongAxis(step: string, axes: readonly AxisDescription[], axisName: string, values: readonly number[]): ParameterField {
  const a = findAxis(axes, axisName);
  if (a < 0) bad(step, `axis '${axisName}' is not an axis of the tensor (${axes.map((x) => x.id).join(', ')})`);
  return { values: Float64Array.from(values), along: [{ axis: a, size: values.length }] };
}

/** A number, or a list along `axis` (0.5) or along the one axis 0.4 `axes` leave out besides batch. */
function fieldArg(step: string, kwargs: Readonly<Record<string, unknown>>, key: string, axes: readonly AxisDescription[], fallback?: number): ParameterField {
  const v = numbersArg(step, kwargs, key, fallback);
  if (typeof v === 'number') return scalar(v);
  const axis = kwargs['axis'];
  if (typeof axis === 'string') return alongAxis(step, axes, axis, v);
  const letters = kwargs['axes'];
  if (typeof letters === 'string' || Array.isArray(letters)) {
    const named = new Set([...(letters as Iterable<string>)].map(axisKey));
    const complement = axes.filter((a) => !named.has(describedAxisKey(a)) && describedAxisKey(a) !== 'b');
    if (complement.length === 1) return alongAxis(step, axes, complement[0]!.id, v);
  }
  if (v.length === 1) return scalar(v[0]!);
  return bad(step, `'${key}' lists ${String(v.length)} values but no single axis to apply them along`);
}

/**
 * Phase one: resolves `steps` (the pre- or postprocessing of `tensor`) into elementwise operations,
 * streaming the whole sample from `statistics` once per source tensor (twice or three times for
 * percentiles of very large samples) for the statistics the steps need. Steps needing no statistics
 * never ask `statistics` for anything.
 *
 * @throws ToolError `BAD_MANIFEST` naming the step for an unknown step id, bad kwargs, an axis the
 *   tensor lacks, or a `reference_tensor` the source does not know; `BAD_PARAMETER` when the source
 *   lacks the processed tensor itself.
 */
export async function planProcessing(
  steps: readonly ProcessingStep[],
  tensor: Pick<TensorDescription, 'id' | 'axes'>,
  statistics: StatisticsSource,
  options: PlanOptions = {},
): Promise<ProcessingPlan> {
  const axes = tensor.axes;
  const measures: Measure[] = [];
  const sources = new Map<string, SampleTensorSource>();

  const source = async (step: string, id: string): Promise<SampleTensorSource> => {
    const known = sources.get(id);
    if (known !== undefined) return known;
    const found = await statistics.tensor(id);
    if (found === undefined) {
      if (id === tensor.id)
        throw new ToolError('BAD_PARAMETER', `no sample data for tensor '${id}' to compute the statistics of '${step}'`, { details: { step, tensor: id } });
      bad(step, `reference tensor '${id}' is not a tensor of this sample`);
    }
    if (found.shape.length !== found.axes.length)
      bad(step, `tensor '${id}' has ${String(found.shape.length)} dimensions but ${String(found.axes.length)} axes`);
    sources.set(id, found);
    return found;
  };
  const measure = async (step: string, id: string, names: string[] | undefined): Promise<Measure> => {
    const src = await source(step, id);
    const reduced = resolveReduced(step, id === tensor.id ? axes : src.axes, names, id);
    const key = reduced.join(',');
    let m = measures.find((x) => x.tensor === id && x.reduced.join(',') === key);
    if (m === undefined) {
      m = { tensor: id, reduced, moments: false, quantiles: [], source: src };
      measures.push(m);
    }
    return m;
  };
  const quantile = (m: Measure, q: number, method: QuantileMethod): number => {
    let i = m.quantiles.findIndex((x) => x.q === q && x.method === method);
    if (i < 0) i = m.quantiles.push({ q, method }) - 1;
    return i;
  };

  type Draft =
    | { kind: 'affine'; step: ProcessingStep['id']; subtract: Pending; divide: Pending; multiply: Pending; add: Pending }
    | { kind: 'clip'; step: 'clip'; min?: Pending; max?: Pending }
    | { kind: 'binarize'; step: 'binarize'; threshold: ParameterField }
    | { kind: 'sigmoid'; step: 'sigmoid' }
    | { kind: 'cast'; step: 'ensure_dtype'; dtype: DType };
  const drafts: Draft[] = [];
  const zero: Pending = { constant: scalar(0) };
  const one: Pending = { constant: scalar(1) };
  /** `(x − mean) / (std + eps)` with the mean and std given in the kwargs (fixed normalisation). */
  const fixedNormalization = (step: ProcessingStep['id'], kwargs: Readonly<Record<string, unknown>>, eps: number): Draft => ({
    kind: 'affine',
    step,
    subtract: { constant: fieldArg(step, kwargs, 'mean', axes) },
    divide: { constant: withEps(fieldArg(step, kwargs, 'std', axes), eps) },
    multiply: one,
    add: zero,
  });

  for (const step of steps) {
    const id = String(step.id);
    const kwargs = step.kwargs ?? {};
    switch (step.id) {
      case 'binarize':
        drafts.push({ kind: 'binarize', step: 'binarize', threshold: fieldArg(id, kwargs, 'threshold', axes) });
        break;
      case 'clip': {
        const names = axesArg(id, kwargs);
        const dataset = names === undefined || names.some((n) => axisKey(n) === 'b');
        const method: QuantileMethod = dataset ? 'linear' : 'inverted_cdf';
        const bound = async (value: string, percentile: string): Promise<Pending | undefined> => {
          if (kwargs[value] !== undefined && kwargs[value] !== null) {
            if (kwargs[percentile] !== undefined && kwargs[percentile] !== null) bad(id, `'${value}' and '${percentile}' are exclusive`);
            return { constant: scalar(numberArg(id, kwargs, value)) };
          }
          if (kwargs[percentile] === undefined || kwargs[percentile] === null) return undefined;
          const p = numberArg(id, kwargs, percentile);
          if (p < 0 || p > 100) bad(id, `'${percentile}' ${String(p)} outside [0, 100]`);
          const m = await measure(id, tensor.id, names);
          return { measure: m, take: quantile(m, p / 100, method) };
        };
        const min = await bound('min', 'min_percentile');
        const max = await bound('max', 'max_percentile');
        if (min === undefined && max === undefined) bad(id, "needs 'min', 'max', 'min_percentile' or 'max_percentile'");
        drafts.push({ kind: 'clip', step: 'clip', min, max });
        break;
      }
      case 'ensure_dtype': {
        const dtype = kwargs['dtype'];
        if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) bad(id, `unsupported 'dtype' ${JSON.stringify(dtype)}`);
        drafts.push({ kind: 'cast', step: 'ensure_dtype', dtype: dtype as DType });
        break;
      }
      case 'fixed_zero_mean_unit_variance':
        drafts.push(fixedNormalization(step.id, kwargs, DEFAULT_EPS));
        break;
      case 'scale_linear':
        drafts.push({
          kind: 'affine',
          step: step.id,
          subtract: zero,
          divide: one,
          multiply: { constant: fieldArg(id, kwargs, 'gain', axes, 1) },
          add: { constant: fieldArg(id, kwargs, 'offset', axes, 0) },
        });
        break;
      case 'sigmoid':
        drafts.push({ kind: 'sigmoid', step: 'sigmoid' });
        break;
      case 'zero_mean_unit_variance': {
        const eps = epsArg(id, kwargs);
        if (kwargs['mode'] === 'fixed') {
          drafts.push(fixedNormalization(step.id, kwargs, eps));
          break;
        }
        const m = await measure(id, tensor.id, axesArg(id, kwargs));
        m.moments = true;
        drafts.push({
          kind: 'affine',
          step: step.id,
          subtract: { measure: m, take: 'mean' },
          divide: { measure: m, take: 'std', plusEps: eps },
          multiply: one,
          add: zero,
        });
        break;
      }
      case 'scale_mean_variance': {
        const eps = epsArg(id, kwargs);
        const ref = kwargs['reference_tensor'];
        if (typeof ref !== 'string' || ref === '') bad(id, "missing 'reference_tensor'");
        const names = axesArg(id, kwargs);
        const own = await measure(id, tensor.id, names);
        const other = await measure(id, ref, names);
        own.moments = true;
        other.moments = true;
        drafts.push({
          kind: 'affine',
          step: step.id,
          subtract: { measure: own, take: 'mean' },
          divide: { measure: own, take: 'std', plusEps: eps },
          multiply: { measure: other, take: 'std', plusEps: eps },
          add: { measure: other, take: 'mean' },
        });
        break;
      }
      case 'scale_range': {
        const eps = epsArg(id, kwargs);
        const lowP = numberArg(id, kwargs, 'min_percentile', 0);
        const highP = numberArg(id, kwargs, 'max_percentile', 100);
        if (!(lowP >= 0 && lowP < highP && highP <= 100)) bad(id, `percentiles ${String(lowP)}..${String(highP)} must satisfy 0 ≤ min < max ≤ 100`);
        const ref = kwargs['reference_tensor'];
        const refId = typeof ref === 'string' && ref !== '' ? ref : tensor.id;
        const m = await measure(id, refId, axesArg(id, kwargs));
        const low: Pending = { measure: m, take: quantile(m, lowP / 100, 'linear') };
        const high: Pending = { measure: m, take: quantile(m, highP / 100, 'linear'), minus: low, plusEps: eps };
        drafts.push({ kind: 'affine', step: step.id, subtract: low, divide: high, multiply: one, add: zero });
        break;
      }
      default:
        bad(
          id,
          `unknown processing step id '${id}' (known: binarize, clip, ensure_dtype, fixed_zero_mean_unit_variance, scale_linear, scale_mean_variance, scale_range, sigmoid, zero_mean_unit_variance)`,
        );
    }
  }

  const bySource = new Map<SampleTensorSource, Measure[]>();
  for (const m of measures) bySource.set(m.source!, [...(bySource.get(m.source!) ?? []), m]);
  for (const [src, list] of bySource) {
    const requests: StatisticsRequest[] = list.map((m) => ({ reduced: m.reduced, moments: m.moments, quantiles: m.quantiles }));
    const results = await computeStatistics(src, requests, options);
    list.forEach((m, i) => (m.result = results[i]));
  }

  const resolve = (p: Pending): ParameterField => {
    if ('constant' in p) return p.constant;
    const m = p.measure;
    const stats = m.result!;
    const raw = p.take === 'mean' ? stats.mean! : p.take === 'std' ? stats.std! : stats.quantiles[p.take]!;
    const minus = p.minus === undefined ? undefined : resolve(p.minus).values;
    const values = raw.map((v, g) => v - (minus?.[g] ?? 0) + (p.plusEps ?? 0));
    const src = sources.get(m.tensor)!;
    const along = stats.groupAxes.flatMap((a, k) => {
      const size = stats.groupSizes[k]!;
      const position = m.tensor === tensor.id ? a : axes.findIndex((x) => describedAxisKey(x) === describedAxisKey(src.axes[a]!));
      if (position >= 0) return [{ axis: position, size }];
      if (size === 1) return [];
      return bad(
        m.tensor === tensor.id ? 'statistics' : `reference tensor '${m.tensor}'`,
        `axis '${src.axes[a]!.id}' has no counterpart in tensor '${tensor.id}'`,
      );
    });
    return { values, along };
  };

  let dtype: DType = 'float32';
  const operations: PlannedOperation[] = drafts.map((d): PlannedOperation => {
    switch (d.kind) {
      case 'affine':
        dtype = dtype === 'float64' ? 'float64' : 'float32';
        return { kind: 'affine', step: d.step, subtract: resolve(d.subtract), divide: resolve(d.divide), multiply: resolve(d.multiply), add: resolve(d.add) };
      case 'clip':
        dtype = dtype === 'float64' ? 'float64' : 'float32';
        return { kind: 'clip', step: 'clip', min: d.min === undefined ? undefined : resolve(d.min), max: d.max === undefined ? undefined : resolve(d.max) };
      case 'sigmoid':
        dtype = dtype === 'float64' ? 'float64' : 'float32';
        return d;
      case 'binarize':
        dtype = 'bool';
        return d;
      case 'cast':
        dtype = d.dtype;
        return d;
    }
  });

  return {
    tensor: tensor.id,
    axes,
    operations,
    outputDType: dtype,
    statistics: measures.map((m) => ({
      tensor: m.tensor,
      reduced: m.reduced.map((a) => describedAxisKey((sources.get(m.tensor) ?? { axes })!.axes[a]!)),
      statistics: m.result!,
    })),
  };
}

function withEps(field: ParameterField, eps: number): ParameterField {
  return { values: field.values.map((v) => v + eps), along: field.along };
}

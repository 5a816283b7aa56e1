import type { AxisDescription, ProcessingStep } from '../model-description.js';
import type { RdfCursor } from './rdf-fields.js';
import { draftTensor, dtypeField, ensureDtype, fileReference, processingSteps, type DraftAxis, type DraftTensor, type RdfContext } from './rdf-parts.js';

/**
 * The tensors and test tolerance of a format 0.5 model rdf (`bioimageio.spec.model.v0_5`): axes as
 * a list of `{ type, id, size, … }`, sizes fixed, `{ min, step }` or `{ tensor_id, axis_id, offset }`.
 */

const AXIS_TYPES: readonly AxisDescription['type'][] = ['batch', 'channel', 'index', 'time', 'space'];

/** The spec's default ids per axis type, and the short ids of the normalized description. */
const DEFAULT_IDS: Readonly<Record<AxisDescription['type'], string>> = { batch: 'batch', channel: 'channel', index: 'index', time: 'time', space: 'x' };
const SHORT_IDS: Readonly<Record<string, string>> = { batch: 'b', channel: 'c', index: 'i', time: 't' };

function axisV05(cursor: RdfCursor, role: 'input' | 'output'): DraftAxis | undefined {
  if (!cursor.mapping(true)) return undefined;
  const typeField = cursor.field('type');
  const type = typeField.string();
  if (type === undefined) return undefined;
  if (!(AXIS_TYPES as readonly string[]).includes(type)) return typeField.problem(`unknown axis type '${type}' (known: ${AXIS_TYPES.join(', ')})`);
  const axisType = type as AxisDescription['type'];
  const rawId = cursor.field('id').optString() ?? DEFAULT_IDS[axisType];
  const sizeField = cursor.field('size');

  if (axisType === 'batch') {
    const size = sizeField.optInteger();
    if (size !== undefined && size !== 1) sizeField.problem(`a batch axis size must be 1 or absent, not ${String(size)}`);
    return { rawId, axis: { id: 'b', type: 'batch', size: 1 } };
  }
  if (axisType === 'channel') {
    const namesField = cursor.field('channel_names');
    const names = namesField.strings(true);
    if (namesField.present && Array.isArray(namesField.value) && namesField.value.length === 0) namesField.problem('must name at least one channel');
    return { rawId, axis: { id: 'c', type: 'channel', size: Math.max(names.length, 1), channelNames: names } };
  }

  const id = SHORT_IDS[rawId] ?? rawId;
  const scale = axisType === 'index' ? undefined : cursor.field('scale').optNumber({ above: 0 });
  const unit = axisType === 'index' ? undefined : cursor.field('unit').optString();
  const base = { id, type: axisType, ...(scale === undefined ? {} : { scale }), ...(unit === undefined ? {} : { unit }) };
  let halo: number | undefined;
  if (role === 'output') {
    halo = cursor.field('halo').optInteger({ min: 0 });
    if (halo === 0) halo = undefined;
  }
  const withHalo = halo === undefined ? base : { ...base, halo };

  if (!sizeField.present) {
    sizeField.problem('missing');
    return { rawId, axis: { ...withHalo, size: 1 } };
  }
  if (typeof sizeField.value === 'number') {
    const size = sizeField.integer({ min: 1 });
    return { rawId, axis: { ...withHalo, size: size ?? 1 } };
  }
  if (!sizeField.mapping()) return { rawId, axis: { ...withHalo, size: 1 } };
  const has = (key: string): boolean => sizeField.field(key).present;
  if (has('tensor_id') || has('axis_id')) {
    const tensorField = sizeField.field('tensor_id');
    const axisField = sizeField.field('axis_id');
    const tensor = tensorField.string();
    const axis = axisField.string();
    const offset = sizeField.field('offset').optInteger() ?? 0;
    if (tensor === undefined || axis === undefined) return { rawId, axis: { ...withHalo, size: 1 } };
    return {
      rawId,
      axis: { ...withHalo, size: 1 },
      reference: { tensor, axis, scale: 1, offset, physical: { ownScale: scale ?? 1 }, tensorField: tensorField.path, axisField: axisField.path },
    };
  }
  if (has('step')) {
    if (role === 'output') sizeField.problem('a parameterized size { min, step } is only allowed for inputs');
    const min = sizeField.field('min').integer({ min: 1 });
    const step = sizeField.field('step').integer({ min: 1 });
    return { rawId, axis: { ...withHalo, size: { min: min ?? 1, step: step ?? 1 } } };
  }
  if (role === 'output' && (has('min') || has('max'))) {
    sizeField.problem('data-dependent output sizes are not supported by this installation');
  } else {
    sizeField.problem('must be an integer, { min, step } or { tensor_id, axis_id, offset }');
  }
  return { rawId, axis: { ...withHalo, size: 1 } };
}

function dataType(ctx: RdfContext, tensor: RdfCursor, testTensor: string | undefined): string {
  const data = tensor.field('data');
  const types: string[] = [];
  if (Array.isArray(data.value)) {
    for (const item of data.items()) {
      if (!item.mapping(true)) continue;
      const t = dtypeField(item.field('type'), false);
      if (t !== undefined) types.push(t);
    }
    if (new Set(types).size > 1) data.problem(`the data types of the channels differ (${types.join(', ')})`);
  } else if (data.mapping()) {
    const t = dtypeField(data.field('type'), false);
    if (t !== undefined) types.push(t);
  }
  if (types.length > 0) return types[0]!;
  const fromTest = testTensor === undefined ? undefined : ctx.options.testTensorDType?.(testTensor);
  return fromTest ?? 'float32';
}

/** The spec's implicit casts: inputs start with `ensure_dtype` (their data type) and end with one (or `binarize`); outputs end with one. */
function withImplicitCasts(steps: ProcessingStep[], dtype: string, role: 'input' | 'output'): ProcessingStep[] {
  const out = [...steps];
  if (role === 'input' && out[0]?.id !== 'ensure_dtype') out.unshift(ensureDtype(dtype));
  const last = out.at(-1)?.id;
  if (last !== 'ensure_dtype' && last !== 'binarize') out.push(ensureDtype(dtype));
  return out;
}

function tensorV05(ctx: RdfContext, cursor: RdfCursor, role: 'input' | 'output'): DraftTensor | undefined {
  if (!cursor.mapping(true)) return undefined;
  const id = cursor.field('id').optString() ?? role;
  const description = cursor.field('description').optString() ?? '';
  const axesField = cursor.field('axes');
  const axes: DraftAxis[] = [];
  for (const item of axesField.items(true)) {
    const axis = axisV05(item, role);
    if (axis === undefined) continue;
    if (axes.some((a) => a.axis.id === axis.axis.id)) item.problem(`duplicate axis '${axis.rawId}'`);
    axes.push(axis);
  }
  if (Array.isArray(axesField.value) && axesField.value.length === 0) axesField.problem('must list at least one axis');
  const testTensor = fileReference(ctx, cursor.field('test_tensor'), 'test_tensor', true);
  const sampleTensor = fileReference(ctx, cursor.field('sample_tensor'), 'sample_tensor', false);
  const dtype = dataType(ctx, cursor, testTensor);
  const key = role === 'input' ? 'preprocessing' : 'postprocessing';
  const steps = withImplicitCasts(processingSteps(cursor.field(key), 'id', key), dtype, role);
  return draftTensor({ id, description, role, path: cursor.path, axes, dataType: dtype, steps, testTensor, sampleTensor });
}

/** The inputs and outputs of a 0.5 rdf (size references still pending). */
export function tensorsV05(ctx: RdfContext, root: RdfCursor): DraftTensor[] {
  const out: DraftTensor[] = [];
  for (const role of ['input', 'output'] as const) {
    const list = root.field(`${role}s`);
    for (const item of list.items(true)) {
      const tensor = tensorV05(ctx, item, role);
      if (tensor !== undefined) out.push(tensor);
    }
    if (Array.isArray(list.value) && list.value.length === 0) list.problem(`must list at least one ${role}`);
  }
  return out;
}

/** Default test tolerance when the rdf gives none. */
export const DEFAULT_TOLERANCE = { relative: 1e-4, absolute: 1e-4, mismatchedElementsPerMillion: 0 } as const;

/**
 * The test tolerance of a 0.5 rdf: the first `config.bioimageio.reproducibility_tolerance` entry
 * that applies to every output and to ONNX weights (missing fields of an entry take the spec's
 * defaults, 1e-3), else {@link DEFAULT_TOLERANCE}.
 */
export function toleranceV05(root: RdfCursor): { relative: number; absolute: number; mismatchedElementsPerMillion: number } {
  const list = root.field('config').field('bioimageio').field('reproducibility_tolerance');
  const entries = list.items().filter((e) => e.mapping(true));
  const applies = (e: RdfCursor): boolean => {
    const outputs = e.field('output_ids').strings();
    const formats = e.field('weights_formats').strings();
    return outputs.length === 0 && (formats.length === 0 || formats.includes('onnx'));
  };
  const entry = entries.find(applies);
  if (entry === undefined) return { ...DEFAULT_TOLERANCE };
  return {
    relative: entry.field('relative_tolerance').optNumber({ min: 0 }) ?? 1e-3,
    absolute: entry.field('absolute_tolerance').optNumber({ min: 0 }) ?? 1e-3,
    mismatchedElementsPerMillion: entry.field('mismatched_elements_per_million').optNumber({ min: 0 }) ?? 0,
  };
}

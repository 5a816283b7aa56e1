import type { AxisDescription, ProcessingStep } from '../model-description.js';
import type { RdfCursor } from './rdf-fields.js';
import { draftTensor, dtypeField, ensureDtype, fileReference, processingSteps, type DraftAxis, type DraftTensor, type RdfContext } from './rdf-parts.js';

/**
 * The tensors of a format 0.4 model rdf (`bioimageio.spec.model.v0_4`), normalized to the 0.5
 * vocabulary: the axes string letter by letter (`b` batch, `c` channel, `i` index, `t` time,
 * `z`/`y`/`x` space); `shape` `[…]` fixed, `{ min, step }` (a step of 0 is a fixed size) or, for
 * outputs, `{ reference_tensor, scale, offset }` (size = scale · reference + 2 · offset; a scale of
 * 0 or null is the fixed size 2 · offset); `halo` per axis; processing `name` → `id`, kwargs kept
 * (the processing module reads 0.4 `axes` strings and `mode`).
 *
 * bioimageio.core adds casts around 0.4 processing: an input is cast to its `data_type` before its
 * preprocessing and to float32 after it (float32 only when it has no preprocessing), the implicit
 * assumption of 0.4 models. Outputs end with a cast to their `data_type` (unless the last step
 * already is `ensure_dtype` or `binarize`), as in 0.5.
 */

const AXIS_TYPES: Readonly<Record<string, AxisDescription['type']>> = { b: 'batch', c: 'channel', i: 'index', t: 'time', z: 'space', y: 'space', x: 'space' };

/** The `index`-th number of a per-axis list field, or a problem. */
function perAxis(list: RdfCursor, index: number, what: 'integer' | 'number' | 'nullable'): number | null | undefined {
  const item = list.items()[index];
  if (item === undefined) return undefined;
  if (what === 'nullable' && !item.present) return null;
  return what === 'integer' ? item.integer() : item.number();
}

function checkLength(list: RdfCursor, length: number, axes: string): boolean {
  if (!Array.isArray(list.value)) {
    if (list.present) list.problem('must be a list with one entry per axis');
    else list.problem('missing');
    return false;
  }
  if (list.value.length !== length) {
    list.problem(`lists ${String(list.value.length)} values for the ${String(length)} axes '${axes}'`);
    return false;
  }
  return true;
}

function axesV04(cursor: RdfCursor, role: 'input' | 'output'): DraftAxis[] {
  const axesField = cursor.field('axes');
  const letters = axesField.string() ?? '';
  const seen = new Set<string>();
  for (const letter of letters) {
    if (AXIS_TYPES[letter] === undefined) axesField.problem(`unknown axis '${letter}' (0.4 axes are letters of 'bitczyx')`);
    else if (seen.has(letter)) axesField.problem(`axis '${letter}' appears twice`);
    seen.add(letter);
  }
  if (axesField.present && letters === '') axesField.problem('must name at least one axis');
  const valid = [...letters].every((l) => AXIS_TYPES[l] !== undefined) && seen.size === letters.length;
  if (!valid) return [];

  const shape = cursor.field('shape');
  const n = letters.length;
  const halo = role === 'output' ? cursor.field('halo') : undefined;
  const haloOk = halo !== undefined && halo.present && checkLength(halo, n, letters);
  const drafts: DraftAxis[] = [...letters].map((letter) => ({ rawId: letter, axis: { id: letter, type: AXIS_TYPES[letter]!, size: 1 } }));
  const setSize = (i: number, size: AxisDescription['size']): void => {
    const draft = drafts[i]!;
    draft.axis = { ...draft.axis, size: draft.axis.type === 'batch' ? 1 : size };
  };

  if (Array.isArray(shape.value)) {
    if (checkLength(shape, n, letters)) shape.items().forEach((item, i) => setSize(i, item.integer({ min: 1 }) ?? 1));
  } else if (!shape.mapping(true)) {
    // reported
  } else if (shape.field('reference_tensor').present) {
    if (role === 'input') shape.problem('an input shape must be a list or { min, step }');
    const tensorField = shape.field('reference_tensor');
    const tensor = tensorField.string();
    const scale = shape.field('scale');
    const offset = shape.field('offset');
    const ok = checkLength(scale, n, letters) && checkLength(offset, n, letters);
    for (let i = 0; ok && tensor !== undefined && i < n; i++) {
      const s = perAxis(scale, i, 'nullable');
      const o = perAxis(offset, i, 'number');
      if (s === undefined || o === undefined || o === null || drafts[i]!.axis.type === 'batch') continue;
      if (s === null || s === 0) {
        const fixed = 2 * o;
        if (!Number.isInteger(fixed) || fixed < 1) offset.items()[i]!.problem(`a new axis (scale 0) needs a size 2·offset ≥ 1, not ${String(fixed)}`);
        setSize(i, Math.max(1, Math.round(fixed)));
      } else {
        drafts[i]!.reference = { tensor, axis: letters[i]!, scale: s, offset: 2 * o, tensorField: tensorField.path, axisField: cursor.field('axes').path };
      }
    }
  } else {
    if (role === 'output') shape.problem('an output shape must be a list or { reference_tensor, scale, offset }');
    const min = shape.field('min');
    const step = shape.field('step');
    if (checkLength(min, n, letters) && checkLength(step, n, letters)) {
      for (let i = 0; i < n; i++) {
        const m = min.items()[i]!.integer({ min: 1 });
        const s = step.items()[i]!.integer({ min: 0 });
        if (m === undefined || s === undefined) continue;
        setSize(i, s === 0 ? m : { min: m, step: s });
      }
    }
  }

  if (haloOk && halo !== undefined) {
    halo.items().forEach((item, i) => {
      const h = item.integer({ min: 0 });
      if (h !== undefined && h > 0) drafts[i]!.axis = { ...drafts[i]!.axis, halo: h };
    });
  }
  return drafts;
}

/** bioimageio.core's casts around 0.4 processing (see the module comment). */
function withImplicitCasts(steps: ProcessingStep[], dtype: string, role: 'input' | 'output'): ProcessingStep[] {
  if (role === 'input') return steps.length === 0 ? [ensureDtype('float32')] : [ensureDtype(dtype), ...steps, ensureDtype('float32')];
  const last = steps.at(-1)?.id;
  return last === 'ensure_dtype' || last === 'binarize' ? steps : [...steps, ensureDtype(dtype)];
}

function tensorV04(
  ctx: RdfContext,
  cursor: RdfCursor,
  role: 'input' | 'output',
  testTensor: string | undefined,
  sampleTensor: string | undefined,
): DraftTensor | undefined {
  if (!cursor.mapping(true)) return undefined;
  const id = cursor.field('name').string() ?? role;
  const description = cursor.field('description').optString() ?? '';
  const axes = axesV04(cursor, role);
  const dtype = dtypeField(cursor.field('data_type'), true) ?? 'float32';
  const key = role === 'input' ? 'preprocessing' : 'postprocessing';
  const steps = withImplicitCasts(processingSteps(cursor.field(key), 'name', key), dtype, role);
  return draftTensor({ id, description, role, path: cursor.path, axes, dataType: dtype, steps, testTensor, sampleTensor });
}

/** The inputs and outputs of a 0.4 rdf (size references still pending); test tensors from `test_inputs`/`test_outputs`. */
export function tensorsV04(ctx: RdfContext, root: RdfCursor): DraftTensor[] {
  const out: DraftTensor[] = [];
  for (const role of ['input', 'output'] as const) {
    const list = root.field(`${role}s`);
    const tensors = list.items(true);
    if (Array.isArray(list.value) && list.value.length === 0) list.problem(`must list at least one ${role}`);
    const tests = root.field(`test_${role}s`);
    const testItems = tests.items(true);
    if (tests.present && Array.isArray(tests.value) && testItems.length !== tensors.length) {
      tests.problem(`lists ${String(testItems.length)} files for ${String(tensors.length)} ${role}s`);
    }
    const samples = root.field(`sample_${role}s`).items();
    tensors.forEach((item, i) => {
      const test = testItems[i] === undefined ? undefined : fileReference(ctx, testItems[i], 'test_tensor', true);
      const sample = samples[i] === undefined ? undefined : fileReference(ctx, samples[i], 'sample_tensor', false);
      const tensor = tensorV04(ctx, item, role, test, sample);
      if (tensor !== undefined) out.push(tensor);
    });
  }
  return out;
}

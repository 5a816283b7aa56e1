import type { AxisDescription, PersonDescription, ProcessingStep, TensorDescription, WeightsDescription } from '../model-description.js';
import { axisKey } from '../processing/axis-reference.js';
import { DTYPES } from '../tensor/tensor.js';
import { fieldName, type FieldPath, type RdfCursor, type RdfProblems } from './rdf-fields.js';

/**
 * The parts of a model rdf that formats 0.4 and 0.5 share (people, citations, weights, processing
 * steps, file references) and the resolution of output sizes that reference another tensor.
 */

/** What a file named by the rdf is for. */
export type RdfFileKind = 'weights' | 'test_tensor' | 'sample_tensor' | 'cover' | 'documentation' | 'attachment';

/** A file the rdf names (a path relative to the package root, or a URL), with the field naming it. */
export interface RdfFileReference {
  readonly kind: RdfFileKind;
  /** `weights.onnx.source`, `inputs[0].test_tensor.source`, … */
  readonly field: string;
  /** As the rdf gives it. */
  readonly path: string;
  /** Lower-case hex, when the rdf declares one. */
  readonly sha256?: string;
}

/** Options of `parseModelRdf`. */
export interface ParseModelRdfOptions {
  /**
   * The dtype of a test tensor (path relative to the package root), used for 0.5 tensors whose
   * `data` gives no type; `undefined` when unknown (then `float32`, the spec's default).
   */
  readonly testTensorDType?: (path: string) => string | undefined;
}

/** State shared while reading one rdf. */
export interface RdfContext {
  readonly problems: RdfProblems;
  readonly files: RdfFileReference[];
  readonly options: ParseModelRdfOptions;
}

/** A tensor being read: axes whose size may still be a reference to resolve. */
export interface DraftTensor extends Omit<TensorDescription, 'axes'> {
  readonly role: 'input' | 'output';
  readonly path: FieldPath;
  readonly axes: DraftAxis[];
}

/** A {@link DraftTensor} from its parts: its processing steps go to pre- or post-processing by role. */
export function draftTensor(parts: {
  readonly id: string;
  readonly description: string;
  readonly role: 'input' | 'output';
  readonly path: FieldPath;
  readonly axes: DraftAxis[];
  readonly dataType: string;
  readonly steps: ProcessingStep[];
  readonly testTensor: string | undefined;
  readonly sampleTensor: string | undefined;
}): DraftTensor {
  const { steps, testTensor, sampleTensor, ...rest } = parts;
  return {
    ...rest,
    preprocessing: parts.role === 'input' ? steps : [],
    postprocessing: parts.role === 'output' ? steps : [],
    testTensor: testTensor ?? '',
    ...(sampleTensor === undefined ? {} : { sampleTensor }),
  };
}

/** An axis being read: `size` fixed, `{ min, step }`, or pending `reference`. */
export interface DraftAxis {
  /** The axis as the rdf names it (0.5 `id`; 0.4 letter). */
  readonly rawId: string;
  axis: AxisDescription;
  reference?: PendingReference;
}

/** An output size given relative to an axis of another tensor, not yet checked. */
export interface PendingReference {
  readonly tensor: string;
  readonly axis: string;
  readonly scale: number;
  readonly offset: number;
  /** 0.5: the size scales with `reference axis scale / this axis scale` (`scale` multiplies it). */
  readonly physical?: { readonly ownScale: number };
  readonly tensorField: FieldPath;
  readonly axisField: FieldPath;
}

/** Weights formats by their rdf key (0.3's `pytorch_script` is read as `torchscript`). */
export const WEIGHTS_FORMATS: readonly WeightsDescription['format'][] = [
  'onnx',
  'torchscript',
  'pytorch_state_dict',
  'tensorflow_saved_model_bundle',
  'keras_hdf5',
  'tensorflow_js',
];

/** Processing ids this plugin runs. */
export const PROCESSING_IDS: readonly ProcessingStep['id'][] = [
  'binarize',
  'clip',
  'ensure_dtype',
  'fixed_zero_mean_unit_variance',
  'scale_linear',
  'scale_mean_variance',
  'scale_range',
  'sigmoid',
  'zero_mean_unit_variance',
];

/** bioimage.io processing ids this plugin does not run. */
const UNSUPPORTED_PROCESSING = ['softmax'];

const SHA256 = /^[0-9a-fA-F]{64}$/;

/** A lower-case slug: `UNet3D halo (0.4)` → `unet3d-halo-0-4`. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s === '' ? 'model' : s;
}

/** Authors or maintainers: `{ name, affiliation?, orcid?, github_user? }` each. */
export function people(list: RdfCursor, nameRequired: boolean): PersonDescription[] {
  const out: PersonDescription[] = [];
  for (const item of list.items()) {
    if (!item.mapping(true)) continue;
    const name = nameRequired ? item.field('name').string() : item.field('name').optString();
    const affiliation = item.field('affiliation').optString();
    const orcid = item.field('orcid').optString();
    const githubUser = item.field('github_user').optString();
    const person: { -readonly [K in keyof PersonDescription]: PersonDescription[K] } = { name: name ?? githubUser ?? '' };
    if (affiliation !== undefined) person.affiliation = affiliation;
    if (orcid !== undefined) person.orcid = orcid;
    if (githubUser !== undefined) person.githubUser = githubUser;
    out.push(person);
  }
  return out;
}

/** Citations: `{ text, doi?, url? }` each. */
export function citations(list: RdfCursor): { text: string; doi?: string; url?: string }[] {
  const out: { text: string; doi?: string; url?: string }[] = [];
  for (const item of list.items()) {
    if (!item.mapping(true)) continue;
    const text = item.field('text').string() ?? '';
    const doi = item.field('doi').optString();
    const url = item.field('url').optString();
    out.push({ text, ...(doi === undefined ? {} : { doi }), ...(url === undefined ? {} : { url }) });
  }
  return out;
}

/** An optional sha256 field, lower-cased. */
export function sha256Field(cursor: RdfCursor): string | undefined {
  const value = cursor.optString();
  if (value === undefined) return undefined;
  if (!SHA256.test(value)) return cursor.problem('must be 64 hexadecimal digits');
  return value.toLowerCase();
}

/**
 * A file given as a path string or a `{ source, sha256? }` mapping (0.5 FileDescr); recorded in
 * `ctx.files`. Returns the path.
 */
export function fileReference(ctx: RdfContext, cursor: RdfCursor, kind: RdfFileKind, required: boolean): string | undefined {
  if (!cursor.present) return required ? cursor.problem('missing') : undefined;
  let source: RdfCursor = cursor;
  let sha256: string | undefined;
  if (typeof cursor.value === 'object') {
    if (!cursor.mapping()) return undefined;
    source = cursor.field('source');
    sha256 = sha256Field(cursor.field('sha256'));
  }
  const path = source.string();
  if (path === undefined) return undefined;
  if (path.trim() === '') return source.problem('must not be empty');
  ctx.files.push({ kind, field: fieldName(source.path), path, ...(sha256 === undefined ? {} : { sha256 }) });
  return path;
}

/** The weights entries (`weights: { onnx: { source, sha256, opset_version }, … }`) in rdf order. */
export function weightsEntries(ctx: RdfContext, weights: RdfCursor): WeightsDescription[] {
  const out: WeightsDescription[] = [];
  const entries = weights.entries(true);
  for (const [key, entry] of entries) {
    if (!entry.present) continue;
    const format = (key === 'pytorch_script' ? 'torchscript' : key) as WeightsDescription['format'];
    if (!WEIGHTS_FORMATS.includes(format)) {
      entry.problem(`unknown weights format '${key}' (bioimage.io formats: ${WEIGHTS_FORMATS.join(', ')})`);
      continue;
    }
    if (!entry.mapping(true)) continue;
    const source = entry.field('source').string();
    const sha256 = sha256Field(entry.field('sha256'));
    const versionField =
      format === 'onnx' ? 'opset_version' : format === 'torchscript' || format === 'pytorch_state_dict' ? 'pytorch_version' : 'tensorflow_version';
    const version = entry.field(versionField).optString();
    const architecture = entry.field('architecture');
    if (format === 'pytorch_state_dict' && architecture.present && typeof architecture.value === 'object' && architecture.field('source').present) {
      fileReference(ctx, architecture, 'attachment', false);
    }
    if (source === undefined) continue;
    ctx.files.push({ kind: 'weights', field: fieldName([...entry.path, 'source']), path: source, ...(sha256 === undefined ? {} : { sha256 }) });
    out.push({ format, source, ...(sha256 === undefined ? {} : { sha256 }), ...(version === undefined ? {} : { version }) });
  }
  if (weights.present && entries.every(([, e]) => !e.present) && typeof weights.value === 'object' && !Array.isArray(weights.value)) {
    weights.problem('no weights entry');
  }
  return out;
}

/** A dtype name this plugin knows (`float32`, `uint8`, …), or a problem. */
export function dtypeField(cursor: RdfCursor, required: boolean): string | undefined {
  const value = required ? cursor.string() : cursor.optString();
  if (value === undefined) return undefined;
  if (!(DTYPES as readonly string[]).includes(value)) return cursor.problem(`unsupported data type '${value}' (known: ${DTYPES.join(', ')})`);
  return value;
}

/**
 * Processing steps of a tensor (`key` is `id` in 0.5 and `name` in 0.4); kwargs are kept as
 * written. An id outside bioimage.io's list, or one this plugin does not run, is a problem naming
 * the step's id field.
 */
export function processingSteps(list: RdfCursor, key: 'id' | 'name', kind: 'preprocessing' | 'postprocessing'): ProcessingStep[] {
  const out: ProcessingStep[] = [];
  for (const item of list.items()) {
    if (!item.mapping(true)) continue;
    const idField = item.field(key);
    const id = idField.string();
    const kwargsField = item.field('kwargs');
    const kwargs = kwargsField.mapping() ? (kwargsField.value as Record<string, unknown>) : {};
    if (id === undefined) continue;
    if (UNSUPPORTED_PROCESSING.includes(id)) {
      idField.problem(`${kind} '${id}' is not supported by this installation (supported: ${PROCESSING_IDS.join(', ')})`);
      continue;
    }
    if (!(PROCESSING_IDS as readonly string[]).includes(id)) {
      idField.problem(`${kind} id '${id}' is not a bioimage.io processing (known: ${[...PROCESSING_IDS, ...UNSUPPORTED_PROCESSING].sort().join(', ')})`);
      continue;
    }
    if (id === 'ensure_dtype') dtypeField(kwargsField.field('dtype'), true);
    out.push({ id: id as ProcessingStep['id'], kwargs });
  }
  return out;
}

/** An `ensure_dtype` step. */
export const ensureDtype = (dtype: string): ProcessingStep => ({ id: 'ensure_dtype', kwargs: { dtype } });

/** The id an axis reference names, compared as the processing module does (`channel` ≡ `c`). */
function sameAxis(draft: DraftAxis, name: string): boolean {
  return draft.rawId === name || draft.axis.id === name || axisKey(draft.axis.id) === axisKey(name);
}

/**
 * Resolves every pending size reference of `tensors` into `{ reference: { tensor, axis }, scale,
 * offset }` (the axis by its normalized id), recording a problem for a tensor or axis that does
 * not exist or a reference to a batch axis.
 */
export function resolveReferences(tensors: readonly DraftTensor[], problems: RdfProblems): void {
  const inputs = tensors.filter((t) => t.role === 'input').map((t) => t.id);
  const outputs = tensors.filter((t) => t.role === 'output').map((t) => t.id);
  for (const tensor of tensors) {
    for (const draft of tensor.axes) {
      const ref = draft.reference;
      if (ref === undefined) continue;
      const target = tensors.find((t) => t.id === ref.tensor);
      if (target === undefined) {
        problems.add(
          ref.tensorField,
          `${tensor.role} axis ${draft.axis.id} references tensor '${ref.tensor}', which is not an input or output of this model (inputs: ${inputs.join(', ')}; outputs: ${outputs.join(', ')})`,
        );
        continue;
      }
      const targetAxis = target.axes.find((a) => sameAxis(a, ref.axis));
      if (targetAxis === undefined) {
        problems.add(
          ref.axisField,
          `${tensor.role} axis ${draft.axis.id} references axis '${ref.axis}', which tensor '${target.id}' does not have (${target.axes.map((a) => a.rawId).join(', ')})`,
        );
        continue;
      }
      if (targetAxis.axis.type === 'batch') {
        problems.add(ref.axisField, `${tensor.role} axis ${draft.axis.id} references the batch axis of tensor '${target.id}'`);
        continue;
      }
      const scale = ref.physical === undefined ? ref.scale : (ref.scale * (targetAxis.axis.scale ?? 1)) / ref.physical.ownScale;
      const targetSize = targetAxis.axis.size;
      if (draft.axis.type === 'channel' && typeof targetSize === 'number' && targetAxis.reference === undefined) {
        // a channel count is fixed: a reference to a fixed axis is a fixed size (0.4 outputs say `c` scale 1)
        draft.axis = { ...draft.axis, size: Math.floor(scale * targetSize + ref.offset) };
      } else {
        draft.axis = { ...draft.axis, size: { reference: { tensor: target.id, axis: targetAxis.axis.id }, scale, offset: ref.offset } };
      }
      delete draft.reference;
    }
  }
}

/** The finished tensor of a draft (references resolved). */
export function finishTensor(draft: DraftTensor): TensorDescription {
  const { role: _role, path: _path, axes, ...rest } = draft;
  return { ...rest, axes: axes.map((a) => a.axis) };
}

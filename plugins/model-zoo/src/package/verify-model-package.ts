import { ToolError } from '@bioimageit/core';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AxisDescription, TensorDescription } from '../model-description.js';
import { readNpy } from '../tensor/npy.js';
import type { ModelPackage } from './model-package.js';
import { isUrl, resolveInside, sha256File } from './package-paths.js';
import { readModelRdf, type RdfFileReference } from './parse-model-rdf.js';

/**
 * Checking an opened model package before running it: the files its rdf names, the shapes of its
 * test tensors, and weights this installation can run.
 */

/** Weights formats this installation runs natively (ONNX Runtime). */
export const RUNNABLE_WEIGHTS_FORMATS: readonly string[] = ['onnx'];

/** One problem {@link verifyModelPackage} found, with the facts that explain it. */
export interface PackageProblem {
  readonly field: string;
  readonly why: string;
  /** The file concerned, relative to the package root. */
  readonly file?: string;
  readonly expected?: string;
  readonly actual?: string;
  readonly tensor?: string;
  readonly axis?: string;
}

const dims = (shape: readonly number[]): string => (shape.length === 0 ? 'a scalar' : shape.join('x'));

/** What one axis needs of a test tensor of size `actual`, or `undefined` when it fits. */
function axisMismatch(
  axis: AxisDescription,
  actual: number,
  shapes: ReadonlyMap<string, { axes: readonly AxisDescription[]; shape: readonly number[] }>,
): string | undefined {
  const size = axis.size;
  if (axis.type === 'batch') return actual >= 1 ? undefined : 'at least 1';
  if (typeof size === 'number') {
    if (actual === size) return undefined;
    return axis.type === 'channel'
      ? `${String(size)} channel${size === 1 ? '' : 's'}${axis.channelNames === undefined ? '' : ` (${axis.channelNames.join(', ')})`}`
      : String(size);
  }
  if ('min' in size) {
    if (actual >= size.min && (actual - size.min) % size.step === 0) return undefined;
    return `${String(size.min)} + k·${String(size.step)}`;
  }
  const ref = shapes.get(size.reference.tensor);
  const at = ref?.axes.findIndex((a) => a.id === size.reference.axis) ?? -1;
  if (ref === undefined || at < 0 || ref.shape[at] === undefined) return undefined;
  const expected = Math.floor(size.scale * ref.shape[at] + size.offset);
  return actual === expected ? undefined : `${String(expected)} (from ${size.reference.tensor}.${size.reference.axis})`;
}

function shapeProblems(tensors: readonly { tensor: TensorDescription; ref: RdfFileReference; shape: readonly number[] }[]): PackageProblem[] {
  // sizes referencing another tensor are checked against its test tensor only when that one fits its own axes
  const fits = tensors.filter(
    ({ tensor, shape }) =>
      shape.length === tensor.axes.length &&
      tensor.axes.every((a, i) => (typeof a.size === 'object' && 'reference' in a.size ? true : axisMismatch(a, shape[i]!, new Map()) === undefined)),
  );
  const shapes = new Map(fits.map((t) => [t.tensor.id, { axes: t.tensor.axes, shape: t.shape }]));
  const out: PackageProblem[] = [];
  for (const { tensor, ref, shape } of tensors) {
    const axes = tensor.axes.map((a) => a.id).join(', ');
    if (shape.length !== tensor.axes.length) {
      out.push({
        field: ref.field,
        why: `${ref.path} is ${dims(shape)} (${String(shape.length)} dimensions) where tensor '${tensor.id}' has ${String(tensor.axes.length)} axes (${axes})`,
        file: ref.path,
        tensor: tensor.id,
      });
      continue;
    }
    const wrong = tensor.axes.flatMap((axis, i) => {
      const need = axisMismatch(axis, shape[i]!, shapes);
      return need === undefined ? [] : [{ axis: axis.id, need, actual: shape[i]! }];
    });
    if (wrong.length === 0) continue;
    out.push({
      field: ref.field,
      why: `${ref.path} is ${dims(shape)} where tensor '${tensor.id}' (${axes}) needs ${wrong.map((w) => `axis ${w.axis} ${w.need}, not ${String(w.actual)}`).join('; ')}`,
      file: ref.path,
      tensor: tensor.id,
      axis: wrong[0]!.axis,
    });
  }
  return out;
}

function problemsError(rdfFile: string, problems: readonly PackageProblem[]): ToolError {
  const first = problems[0]!;
  const one = (p: PackageProblem): string => `${p.field}: ${p.why}`;
  const message = problems.length === 1 ? `${rdfFile}: ${one(first)}` : `${rdfFile}: ${String(problems.length)} problems: ${problems.map(one).join('; ')}`;
  return new ToolError('BAD_MANIFEST', message, { details: { ...first, file: first.file ?? rdfFile, rdfFile, problems } });
}

/**
 * Checks `pkg` before it is run:
 * - every file its rdf names by relative path (weights, test and sample tensors, covers,
 *   documentation) lies inside `pkg.root` (also after resolving links), exists, and matches the
 *   sha256 the rdf declares for it;
 * - each test tensor's shape fits its tensor's axes (rank, fixed sizes and channel counts,
 *   `min + k·step`, sizes referencing another tensor's test tensor);
 * - at least one weights entry is in a format this installation runs ({@link RUNNABLE_WEIGHTS_FORMATS}).
 *
 * Files named by URL are not checked here. Every problem of the first two kinds is reported in one
 * error.
 *
 * @throws ToolError `BAD_MANIFEST` `"RDF: FIELD: why; …"` with `details` `{ file, field, expected?,
 *   actual?, tensor?, axis?, rdfFile, problems }` for missing, escaping or altered files and test
 *   tensors of the wrong shape; `SOURCE_UNAVAILABLE` naming the formats present and the runnable
 *   ones when no weights can run here.
 */
export async function verifyModelPackage(pkg: ModelPackage): Promise<void> {
  const { description, files } = readModelRdf(readFileSync(pkg.rdfFile, 'utf8'), pkg.rdfFile);
  const problems: PackageProblem[] = [];
  const realRoot = realpathSync(pkg.root);
  const present = new Map<string, string>();
  for (const ref of files) {
    if (isUrl(ref.path)) continue;
    const full = resolveInside(pkg.root, ref.path);
    if (full === undefined || (existsSync(full) && !isWithin(realRoot, realpathSync(full)))) {
      problems.push({ field: ref.field, why: `the path '${ref.path}' leaves the package folder`, file: ref.path });
      continue;
    }
    if (!existsSync(full) || !statSync(full).isFile()) {
      const what = ref.kind === 'weights' ? 'weights file' : ref.kind === 'test_tensor' ? 'test tensor' : 'file';
      problems.push({ field: ref.field, why: `the ${what} ${ref.path} named by the rdf does not exist in ${pkg.root}`, file: ref.path });
      continue;
    }
    if (ref.sha256 !== undefined) {
      const actual = await sha256File(full);
      if (actual !== ref.sha256) {
        problems.push({
          field: ref.field,
          why: `the sha256 of ${ref.path} is ${actual}, not the rdf's ${ref.sha256}`,
          file: ref.path,
          expected: ref.sha256,
          actual,
        });
        continue;
      }
    }
    present.set(ref.path, full);
  }

  const testRefs = files.filter((f) => f.kind === 'test_tensor');
  const tensors = [...description.inputs, ...description.outputs];
  const shapes: { tensor: TensorDescription; ref: RdfFileReference; shape: readonly number[] }[] = [];
  tensors.forEach((tensor, i) => {
    const ref = testRefs[i];
    const full = ref === undefined ? undefined : present.get(ref.path);
    if (ref === undefined || full === undefined) return;
    try {
      shapes.push({ tensor, ref, shape: readNpy(readFileSync(full), ref.path).shape });
    } catch (error) {
      problems.push({
        field: ref.field,
        why: `${ref.path} is not a readable .npy file: ${error instanceof Error ? error.message : String(error)}`,
        file: ref.path,
        tensor: tensor.id,
      });
    }
  });
  problems.push(...shapeProblems(shapes));
  if (problems.length > 0) throw problemsError(pkg.rdfFile, problems);

  const formats = description.weights.map((w) => w.format);
  if (!formats.some((f) => RUNNABLE_WEIGHTS_FORMATS.includes(f))) {
    throw new ToolError(
      'SOURCE_UNAVAILABLE',
      `${pkg.rdfFile}: weights: no weights format this installation runs: the package has ${formats.join(', ')}; runnable here: ${RUNNABLE_WEIGHTS_FORMATS.join(', ')} (torchscript, pytorch_state_dict and tensorflow weights need a conda or docker environment)`,
      { details: { file: pkg.rdfFile, field: 'weights', formats, runnable: RUNNABLE_WEIGHTS_FORMATS } },
    );
  }
}

function isWithin(root: string, file: string): boolean {
  return file === root || file.startsWith(root + path.sep);
}

import { ToolError } from '@bioimageit/core';
import type { AxisDescription, TensorDescription } from '../model-description.js';
import { describedAxisKey } from '../processing/axis-reference.js';
import { makeTensor, transpose, type DType, type Tensor, type TensorData } from '../tensor/tensor.js';

/**
 * Between images as BioImageIT reads them (axes a string of `TCZYXS` letters, slowest first, as
 * core's PixelArray) and model tensors (axes `b`, `c`, `i`, `t`, `z`, `y`, `x` in the rdf's order).
 *
 * Inputs: batch is 1; the channel axis is fed by the image's C (or S for RGB samples), 1 channel
 * when the image has neither; `t` by T, `z` by Z (1 plane for a 2-D image); `y`, `x` by Y, X. Image
 * axes the model lacks are looped over, one sample each: T when the model has no time axis, Z when
 * it has no z axis. Outputs are written with the image's axes where they correspond (the looped
 * ones included), plus C for the model's channels.
 */

/** An image's axes (letters of `TCZYXS`, slowest first) and sizes. */
export interface ImageLayout {
  readonly axes: string;
  readonly shape: readonly number[];
}

/** An image's pixels in that layout (core's PixelArray fits). */
export interface ImagePixels extends ImageLayout {
  readonly data: TensorData;
  readonly dtype: string;
}

/** How one model axis relates to the image: the letter of its image axis, or none (size 1). */
export interface ModelAxisLink {
  readonly axis: AxisDescription;
  readonly letter?: string;
  /** Size of this axis in one sample. */
  readonly size: number;
}

/** How an image feeds one model input. */
export interface InputAxisMapping {
  readonly model: string;
  readonly tensor: string;
  readonly image: ImageLayout;
  /** One per model axis, in the model's order. */
  readonly links: readonly ModelAxisLink[];
  /** Image axes looped over (one sample per index), in image order. */
  readonly loop: readonly { readonly letter: string; readonly size: number }[];
  /** Model-axes shape of one sample. */
  readonly sampleShape: readonly number[];
}

/** How one model output is written as an image. */
export interface OutputAxisMapping {
  readonly model: string;
  readonly tensor: string;
  /** One letter (or none: the axis is dropped, size 1) per model output axis. */
  readonly letters: readonly (string | undefined)[];
  /** Axes of the written image (`TCZYX` order). */
  readonly axes: string;
  /** The looped axes of the input, by letter, with their sizes. */
  readonly loop: readonly { readonly letter: string; readonly size: number }[];
}

const ORDER = 'TCZYXS';
const SPACE_LETTERS: Readonly<Record<string, string>> = { z: 'Z', y: 'Y', x: 'X' };

function bad(model: string, tensor: string, why: string, details: Record<string, unknown> = {}): never {
  throw new ToolError('BAD_PARAMETER', `model '${model}', tensor '${tensor}': ${why}`, { details: { model, tensor, ...details } });
}

/** The image letter a model axis corresponds to (`c` → C, `z` → Z, …), or undefined for batch/index. */
function letterOf(axis: AxisDescription): string | undefined {
  const key = describedAxisKey(axis);
  if (key === 'c') return 'C';
  if (key === 't') return 'T';
  if (axis.type === 'space') return SPACE_LETTERS[key];
  return undefined;
}

function channelSizeOk(size: AxisDescription['size'], n: number): boolean {
  if (typeof size === 'number') return size === n;
  if ('min' in size) return n >= size.min && (size.step === 0 ? n === size.min : (n - size.min) % size.step === 0);
  return true;
}

function describeSize(size: AxisDescription['size']): string {
  if (typeof size === 'number') return String(size);
  if ('min' in size) return `${String(size.min)} + k·${String(size.step)}`;
  return `that of ${size.reference.tensor}.${size.reference.axis}`;
}

/**
 * Which image axes feed which axes of model input `tensor` of model `model`.
 *
 * @throws ToolError `BAD_PARAMETER` naming the model, tensor and axis when the image's channel count
 *   differs from the model's, the image lacks Y or X, has channels the model cannot take, or has
 *   unknown axis letters; and for model axes no image axis can feed (an index axis, an unknown space
 *   axis).
 */
export function mapInputAxes(model: string, tensor: TensorDescription, image: ImageLayout): InputAxisMapping {
  const { axes, shape } = image;
  if (axes.length !== shape.length) bad(model, tensor.id, `image axes '${axes}' for a shape of rank ${String(shape.length)}`);
  for (const letter of axes) {
    if (!ORDER.includes(letter) || axes.indexOf(letter) !== axes.lastIndexOf(letter))
      bad(model, tensor.id, `image axes '${axes}' are not distinct letters of TCZYXS`);
  }
  if (axes.includes('C') && axes.includes('S') && shape[axes.indexOf('S')]! > 1 && shape[axes.indexOf('C')]! > 1)
    bad(model, tensor.id, `image axes '${axes}' have both channels (C) and samples (S)`);
  const sizeOf = (letter: string): number | undefined => (axes.includes(letter) ? shape[axes.indexOf(letter)] : undefined);
  const used = new Set<string>();
  const links = tensor.axes.map((axis): ModelAxisLink => {
    const letter = letterOf(axis);
    if (axis.type === 'batch') return { axis, size: 1 };
    if (letter === undefined) {
      if (axis.size === 1 || (typeof axis.size === 'object' && 'min' in axis.size && axis.size.min === 1)) return { axis, size: 1 };
      return bad(model, tensor.id, `model axis '${axis.id}' (${axis.type}) has no image counterpart`, { axis: axis.id });
    }
    if (letter === 'C') {
      const source = (sizeOf('C') ?? 1) > 1 || sizeOf('S') === undefined ? 'C' : 'S';
      const channels = sizeOf(source) ?? 1;
      if (!channelSizeOk(axis.size, channels)) {
        bad(
          model,
          tensor.id,
          `the model takes ${describeSize(axis.size)} channel(s) on axis '${axis.id}', the image has ${String(channels)}${axes.includes(source) ? ` (axis ${source})` : ' (no C axis)'}`,
          { axis: axis.id, expected: describeSize(axis.size), actual: channels },
        );
      }
      if (axes.includes(source)) used.add(source);
      return axes.includes(source) ? { axis, letter: source, size: channels } : { axis, size: 1 };
    }
    const size = sizeOf(letter);
    if (size === undefined) {
      if (letter === 'Y' || letter === 'X')
        bad(model, tensor.id, `model axis '${axis.id}' needs the image's ${letter} axis, but the image axes are '${axes}'`, { axis: axis.id });
      return { axis, size: 1 };
    }
    used.add(letter);
    return { axis, letter, size };
  });
  const loop: { letter: string; size: number }[] = [];
  for (const [k, letter] of [...axes].entries()) {
    if (used.has(letter)) continue;
    const size = shape[k]!;
    if (letter === 'T' || letter === 'Z') loop.push({ letter, size });
    else if (size !== 1) {
      bad(model, tensor.id, `the image has ${String(size)} ${letter === 'S' ? 'samples (S)' : 'channels (C)'} but the model input has no channel axis`, {
        axis: letter,
      });
    }
  }
  return { model, tensor: tensor.id, image, links, loop, sampleShape: links.map((l) => l.size) };
}

/**
 * How model output `output` is written as an image, given the mapping of the input it derives from:
 * its channel, time and space axes become C, T, Z, Y, X; the input's looped axes come back; C is
 * kept for one channel only when the input image had channels.
 *
 * @throws ToolError `BAD_PARAMETER` naming the model, tensor and axis for an output axis with no
 *   image letter and a size other than 1 (an index axis).
 */
export function mapOutputAxes(model: string, output: TensorDescription, input: InputAxisMapping): OutputAxisMapping {
  const inputHadChannels = /[CS]/.test(input.image.axes);
  const letters = output.axes.map((axis): string | undefined => {
    const letter = letterOf(axis);
    if (axis.type === 'batch') return undefined;
    if (letter === undefined) {
      if (axis.size === 1) return undefined;
      return bad(model, output.id, `output axis '${axis.id}' (${axis.type}) cannot be written as an image axis`, { axis: axis.id });
    }
    if (letter === 'C' && axis.size === 1 && !inputHadChannels) return undefined;
    if (letter === 'Z' && !input.image.axes.includes('Z') && !input.loop.some((l) => l.letter === 'Z')) return undefined;
    if (letter === 'T' && !input.image.axes.includes('T')) return undefined;
    return letter;
  });
  const present = new Set([...letters.filter((l): l is string => l !== undefined), ...input.loop.map((l) => l.letter)]);
  const axes = [...'TCZYX'].filter((l) => present.has(l)).join('');
  return { model, tensor: output.id, letters, axes, loop: input.loop };
}

/** Shape of the output image of `mapping` for one sample of model-axes shape `sampleShape`. */
export function outputImageShape(mapping: OutputAxisMapping, sampleShape: readonly number[]): number[] {
  return [...mapping.axes].map((letter) => {
    const looped = mapping.loop.find((l) => l.letter === letter);
    if (looped !== undefined) return looped.size;
    return sampleShape[mapping.letters.indexOf(letter)]!;
  });
}

/**
 * `data` of `shape` on the axes `from` (letters, undefined for an axis of size 1 to drop) rearranged
 * onto the letters `to` (an absent letter becomes size 1).
 */
function rearrange(t: Tensor, from: readonly (string | undefined)[], to: readonly (string | undefined)[]): Tensor {
  const kept = from.flatMap((letter, a) => (letter !== undefined && to.includes(letter) ? [a] : []));
  from.forEach((letter, a) => {
    if (!kept.includes(a) && t.shape[a] !== 1) throw new RangeError(`axis ${letter ?? String(a)} of size ${String(t.shape[a])} has no place in the target`);
  });
  const squeezed = makeTensor(
    t.dtype,
    kept.map((a) => t.shape[a]!),
    t.data,
  );
  const order = to.flatMap((letter) => (letter === undefined ? [] : kept.flatMap((a, k) => (from[a] === letter ? [k] : []))));
  const moved = order.every((a, k) => a === k) ? squeezed : transpose(squeezed, order);
  const sizes = to.map((letter) => {
    const k = letter === undefined ? -1 : order.findIndex((a) => from[kept[a]!] === letter);
    return k < 0 ? 1 : moved.shape[k]!;
  });
  return makeTensor(t.dtype, sizes, moved.data);
}

function imageTensor(pixels: ImagePixels): Tensor {
  return makeTensor(pixels.dtype as DType, pixels.shape, pixels.data);
}

/**
 * Pixels of an image region (any subset of the image's axes, e.g. one YX plane read with a
 * selection) as a tensor in the model axes of `mapping`: axes the region lacks become size 1. Axes
 * of the region that feed no model axis (selected T, Z, C of size 1) must have size 1.
 */
export function toModelAxes(pixels: ImagePixels, mapping: InputAxisMapping): Tensor {
  return rearrange(
    imageTensor(pixels),
    [...pixels.axes],
    mapping.links.map((l) => l.letter),
  );
}

/**
 * One sample of a whole image in memory, in model axes: the looped axes fixed at `at` (index 0 by
 * default).
 */
export function sampleFromImage(pixels: ImagePixels, mapping: InputAxisMapping, at: Readonly<Record<string, number>> = {}): Tensor {
  let t = imageTensor(pixels);
  let axes = [...pixels.axes];
  for (const { letter } of mapping.loop) {
    const a = axes.indexOf(letter);
    const index = at[letter] ?? 0;
    const outer = t.shape.slice(0, a).reduce((x, y) => x * y, 1);
    const inner = t.shape.slice(a + 1).reduce((x, y) => x * y, 1);
    const n = t.shape[a]!;
    const data = makeTensor(t.dtype, [outer * inner]).data as unknown as { set(src: ArrayLike<number | bigint>, at: number): void };
    for (let o = 0; o < outer; o++) data.set(t.data.subarray((o * n + index) * inner, (o * n + index + 1) * inner) as unknown as ArrayLike<number>, o * inner);
    t = makeTensor(t.dtype, [...t.shape.slice(0, a), ...t.shape.slice(a + 1)], data as unknown as TensorData);
    axes = axes.filter((_, k) => k !== a);
  }
  return rearrange(
    t,
    axes,
    mapping.links.map((l) => l.letter),
  );
}

/**
 * One output sample (model axes) as image axes of `mapping`, without the looped axes (the caller
 * places it at its loop index).
 */
export function sampleToImage(sample: Tensor, mapping: OutputAxisMapping): Tensor {
  const loop = new Set(mapping.loop.map((l) => l.letter));
  const to = [...mapping.axes].filter((l) => !loop.has(l));
  return rearrange(sample, mapping.letters, to);
}

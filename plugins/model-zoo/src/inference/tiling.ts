import { ToolError } from '@bioimageit/core';
import type { AxisDescription, ModelDescription, TensorDescription } from '../model-description.js';
import type { Box } from '../tensor/tensor.js';

/**
 * Tile plans: how a whole sample is cut into windows the model accepts, and where the valid part of
 * each output window goes.
 *
 * The rule, per space or time axis of the first input (the other inputs follow on axes of the same
 * id and size; batch, channel and index axes are never tiled):
 * - valid window sizes are the axis's fixed size, or `min + k·step`;
 * - the halo `h` of the axis, in input voxels, is the largest output halo of any output axis whose
 *   size references it, divided by that reference's scale (rounded up);
 * - a window covering the whole axis is the smallest valid size ≥ the sample size (starting at 0:
 *   the part beyond the image is zero padding, cropped from the outputs). When the product of these
 *   sizes exceeds `maxTileVoxels`, the axis with the largest window shrinks to its next smaller valid
 *   size, and again, until the product fits or no axis can shrink while keeping
 *   `W − 2h ≥ h`; a `tileShape` given by the user is rounded up to a valid size instead;
 * - a window `W` smaller than the sample size `N` tiles the axis with stride `W − 2h`: window `k`
 *   starts at `k·(W − 2h) − h`, clamped into the sample (`[0, N − W]`), and only
 *   `[k·(W − 2h), min(N, (k+1)·(W − 2h)))` is pasted into the outputs. Window edges inside the
 *   sample are thus at least `h` away from pasted voxels, and windows never reach beyond the sample
 *   when it is at least one window large: at the sample's borders the network pads its own layers,
 *   exactly as in whole-image inference (padding the input instead would change the outputs within
 *   the halo of the border whenever a layer has a bias). Tiled and whole results then agree for
 *   networks whose output at a voxel depends only on inputs within the halo (convolutions; pooling
 *   networks also need window starts on their pooling grid, which the rdf cannot express);
 * - a sample smaller than the smallest valid size is zero padded after preprocessing (at the end of
 *   each axis) and the outputs cropped back.
 */

/** Options of {@link planTiles}. */
export interface TilingOptions {
  /** Largest window (product of the sizes of the tiled axes) when no `tileShape` is given; default 2^22. */
  readonly maxTileVoxels?: number;
  /** Window size per axis id (`{ z: 16, y: 256, x: 256 }`), rounded up to a valid size. */
  readonly tileShape?: Readonly<Record<string, number>>;
}

/** The plan of one tiled axis of the first input. */
export interface TiledAxis {
  readonly id: string;
  /** Position of the axis in the first input. */
  readonly position: number;
  /** Sample size. */
  readonly size: number;
  /** Window size (valid for the model). */
  readonly window: number;
  /** Halo in input voxels. */
  readonly halo: number;
  /** Number of windows along the axis. */
  readonly count: number;
}

/** Where the valid part of an output window goes. */
export interface OutputPaste {
  /** The valid part, in the output window's coordinates. */
  readonly from: Box;
  /** Its position in the whole output. */
  readonly at: readonly number[];
}

/** One window: the box of each input to feed (may reach outside the sample) and what to paste. */
export interface Tile {
  readonly inputs: Readonly<Record<string, Box>>;
  readonly outputs: Readonly<Record<string, OutputPaste>>;
}

/** A tile plan of one sample. */
export interface TilePlan {
  readonly axes: readonly TiledAxis[];
  /** The windows, first axis slowest (z slabs outermost for `zyx` models). */
  readonly tiles: readonly Tile[];
  /** Whole-sample shape of each output. */
  readonly outputShapes: Readonly<Record<string, readonly number[]>>;
}

/** Default `maxTileVoxels`: 2^22 (4 Mi voxels, 16 MiB of float32 per channel). */
export const DEFAULT_MAX_TILE_VOXELS = 1 << 22;

function bad(model: string, why: string, details: Record<string, unknown> = {}): never {
  throw new ToolError('BAD_PARAMETER', `model '${model}': ${why}`, { details: { model, ...details } });
}

const isTiled = (axis: AxisDescription): boolean => axis.type === 'space' || axis.type === 'time';

/** Smallest valid size ≥ `n` of `size` (fixed: itself). */
export function validSizeAtLeast(size: AxisDescription['size'], n: number): number {
  if (typeof size === 'number') return size;
  if ('min' in size) {
    if (n <= size.min || size.step <= 0) return size.min;
    return size.min + Math.ceil((n - size.min) / size.step) * size.step;
  }
  return n;
}

/** Next valid size below `w` of `size`, or undefined. */
function validSizeBelow(size: AxisDescription['size'], w: number): number | undefined {
  if (typeof size === 'object' && 'min' in size && size.step > 0 && w - size.step >= size.min) return w - size.step;
  return undefined;
}

/** Output axes whose size references input axis `axisId` of `input`, with their scale, offset and halo. */
function referencingAxes(
  description: ModelDescription,
  input: string,
  axisId: string,
): { output: string; position: number; scale: number; offset: number; halo: number }[] {
  return description.outputs.flatMap((output) =>
    output.axes.flatMap((axis, position) => {
      const size = axis.size;
      if (typeof size !== 'object' || !('reference' in size) || size.reference.tensor !== input || size.reference.axis !== axisId) return [];
      return [{ output: output.id, position, scale: size.scale, offset: size.offset, halo: axis.halo ?? 0 }];
    }),
  );
}

/** Whole-sample shape of `output` given the sample shapes of the inputs. */
function wholeOutputShape(
  model: string,
  description: ModelDescription,
  output: TensorDescription,
  shapes: Readonly<Record<string, readonly number[]>>,
): number[] {
  return output.axes.map((axis) => {
    const size = axis.size;
    if (axis.type === 'batch') return 1;
    if (typeof size === 'number') return size;
    if ('min' in size) return bad(model, `output '${output.id}' axis '${axis.id}' has a min/step size; it must be fixed or reference an input`);
    const input = description.inputs.find((t) => t.id === size.reference.tensor);
    const position = input?.axes.findIndex((a) => a.id === size.reference.axis) ?? -1;
    if (input === undefined || position < 0)
      return bad(model, `output '${output.id}' axis '${axis.id}' references ${size.reference.tensor}.${size.reference.axis}, which is not an input axis`);
    return Math.round(size.scale * shapes[input.id]![position]! + size.offset);
  });
}

/**
 * The tile plan of one sample whose inputs have the whole-sample shapes `shapes` (model axes, batch
 * 1) — see the module comment for the rule.
 *
 * @throws ToolError `BAD_PARAMETER` naming the model, tensor and axis when a shape has the wrong rank,
 *   a fixed non-tiled axis (channels) has another size, a sample is too large for a fixed-size output
 *   axis that cannot be tiled, or an output size references an unknown input axis.
 */
export function planTiles(description: ModelDescription, shapes: Readonly<Record<string, readonly number[]>>, options: TilingOptions = {}): TilePlan {
  const model = description.id;
  const first = description.inputs[0];
  if (first === undefined) bad(model, 'the model has no inputs');
  for (const input of description.inputs) {
    const shape = shapes[input.id];
    if (shape === undefined) bad(model, `no data for input '${input.id}'`, { tensor: input.id });
    if (shape.length !== input.axes.length)
      bad(model, `input '${input.id}' has axes ${input.axes.map((a) => a.id).join('')} but the sample has ${String(shape.length)} dimensions`, {
        tensor: input.id,
      });
    input.axes.forEach((axis, a) => {
      if (axis.type === 'batch' && shape[a] !== 1)
        bad(model, `input '${input.id}': batch size ${String(shape[a])}; one sample at a time`, { tensor: input.id, axis: axis.id });
      if (!isTiled(axis) && axis.type !== 'batch' && typeof axis.size === 'number' && axis.size !== shape[a])
        bad(model, `input '${input.id}' axis '${axis.id}' must have size ${String(axis.size)}, the sample has ${String(shape[a])}`, {
          tensor: input.id,
          axis: axis.id,
        });
    });
  }
  const shape0 = shapes[first.id]!;
  const budget = Math.max(1, options.maxTileVoxels ?? DEFAULT_MAX_TILE_VOXELS);

  const drafts = first.axes.flatMap((axis, position) => {
    if (!isTiled(axis)) return [];
    const refs = referencingAxes(description, first.id, axis.id);
    const halo = Math.max(0, ...refs.map((r) => Math.ceil(r.halo / Math.max(r.scale, 1e-9))));
    const size = shape0[position]!;
    const whole = validSizeAtLeast(axis.size, size);
    const asked = options.tileShape?.[axis.id];
    const window = asked === undefined ? whole : Math.min(whole, validSizeAtLeast(axis.size, Math.max(1, Math.floor(asked))));
    return [{ axis, id: axis.id, position, size, halo, whole, window, fixedByUser: asked !== undefined }];
  });
  const product = (): number => drafts.reduce((p, d) => p * d.window, 1);
  for (;;) {
    if (product() <= budget) break;
    const candidates = drafts
      .filter((d) => !d.fixedByUser)
      .map((d) => ({ d, next: validSizeBelow(d.axis.size, d.window) }))
      .filter((c): c is { d: (typeof drafts)[number]; next: number } => c.next !== undefined && c.next - 2 * c.d.halo >= Math.max(1, c.d.halo));
    if (candidates.length === 0) break;
    candidates.sort((p, q) => q.d.window - p.d.window);
    candidates[0]!.d.window = candidates[0]!.next;
  }
  for (const d of drafts) {
    if (d.window < d.size && d.window - 2 * d.halo < Math.max(1, d.halo))
      bad(model, `a window of ${String(d.window)} on axis '${d.id}' is too small for its halos of ${String(d.halo)} (at least ${String(3 * d.halo)} needed)`, {
        axis: d.id,
      });
  }

  const axes: TiledAxis[] = drafts.map((d) => ({
    id: d.id,
    position: d.position,
    size: d.size,
    window: d.window,
    halo: d.window >= d.size ? 0 : d.halo,
    count: d.window >= d.size ? 1 : Math.ceil(d.size / (d.window - 2 * d.halo)),
  }));

  /** Per tiled axis, per window: its start and its valid input range. */
  const spans = axes.map((t) => {
    const stride = t.window - 2 * t.halo;
    return Array.from({ length: t.count }, (_, k) => {
      if (t.count === 1) return { start: 0, lo: 0, hi: t.size };
      return { start: Math.max(0, Math.min(k * stride - t.halo, t.size - t.window)), lo: k * stride, hi: Math.min(t.size, (k + 1) * stride) };
    });
  });

  const outputShapes = Object.fromEntries(description.outputs.map((o) => [o.id, wholeOutputShape(model, description, o, shapes)]));
  // output axes that follow a tiled input axis, and fixed-size outputs that would need tiling
  const outputLinks = description.outputs.map((output) =>
    output.axes.map((axis) => {
      const size = axis.size;
      if (typeof size !== 'object' || !('reference' in size)) return undefined;
      const k = size.reference.tensor === first.id ? axes.findIndex((t) => t.id === size.reference.axis) : -1;
      return k < 0 ? undefined : { k, scale: size.scale, offset: size.offset };
    }),
  );
  const tiledCount = axes.reduce((n, t) => n * t.count, 1);
  if (tiledCount > 1) {
    description.outputs.forEach((output, o) => {
      if (output.axes.some((axis, a) => isTiled(axis) && outputLinks[o]![a] === undefined))
        bad(model, `output '${output.id}' has a space or time axis not sized by the first input; the sample must fit one window (raise maxTileVoxels)`, {
          tensor: output.id,
        });
    });
  }

  const tiles: Tile[] = [];
  const index = axes.map(() => 0);
  for (;;) {
    const inputs: Record<string, Box> = {};
    for (const input of description.inputs) {
      const shape = shapes[input.id]!;
      const start = shape.map(() => 0);
      const extent = [...shape];
      input.axes.forEach((axis, a) => {
        if (!isTiled(axis)) return;
        const k = axes.findIndex((t) => t.id === axis.id);
        if (k < 0 || (input !== first && shape[a] !== shape0[axes[k]!.position])) {
          extent[a] = validSizeAtLeast(axis.size, shape[a]!);
          return;
        }
        start[a] = spans[k]![index[k]!]!.start;
        extent[a] = axes[k]!.window;
      });
      inputs[input.id] = { start, shape: extent };
    }
    const outputs: Record<string, OutputPaste> = {};
    description.outputs.forEach((output, o) => {
      const whole = outputShapes[output.id]!;
      const from: number[] = [];
      const at: number[] = [];
      const extent: number[] = [];
      output.axes.forEach((axis, a) => {
        const link = outputLinks[o]![a];
        if (link === undefined) {
          // not tiled: the whole axis, or a reference to an untiled input axis
          const n = axis.type === 'batch' ? 1 : whole[a]!;
          const size = axis.size;
          let w = n;
          if (typeof size === 'object' && 'reference' in size) {
            const input = description.inputs.find((t) => t.id === size.reference.tensor)!;
            const p = input.axes.findIndex((x) => x.id === size.reference.axis);
            w = Math.round(size.scale * inputs[input.id]!.shape[p]! + size.offset);
          }
          from.push(0);
          at.push(0);
          extent.push(Math.min(n, w));
          return;
        }
        const span = spans[link.k]![index[link.k]!]!;
        const shift = link.offset / 2;
        const outStart = Math.round(link.scale * span.start + shift);
        const lo = Math.max(0, Math.round(link.scale * span.lo + shift));
        const hi = Math.min(whole[a]!, Math.round(link.scale * span.hi + shift));
        from.push(lo - outStart);
        at.push(lo);
        extent.push(Math.max(0, hi - lo));
      });
      outputs[output.id] = { from: { start: from, shape: extent }, at };
    });
    tiles.push({ inputs, outputs });
    let a = axes.length - 1;
    while (a >= 0 && ++index[a]! >= axes[a]!.count) index[a--] = 0;
    if (a < 0) break;
  }
  return { axes, tiles, outputShapes };
}

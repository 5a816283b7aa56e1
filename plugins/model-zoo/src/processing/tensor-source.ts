import type { AxisDescription } from '../model-description.js';
import { extract, type Tensor } from '../tensor/tensor.js';
import type { SampleTensorSource, StatisticsSource } from './processing-plan.js';

/**
 * In-memory sample tensors as {@link StatisticsSource}s: for samples that are already whole in
 * memory (test tensors, small images) and for tests of the streaming path.
 */

/**
 * `tensor` (with its `axes`) streamed in C-order chunks of at most `chunkElements` elements
 * (default 1 Mi; at least one line of the innermost axes that fit): slabs along the slowest axis
 * whose inner size fits, one index at a time on the axes before it.
 */
export function tensorSource(tensor: Tensor, axes: readonly AxisDescription[], chunkElements = 1 << 20): SampleTensorSource {
  const shape = tensor.shape;
  return {
    axes,
    shape,
    async forEachChunk(visit) {
      const rank = shape.length;
      if (rank === 0 || shape.some((s) => s === 0)) {
        await visit(
          tensor,
          shape.map(() => 0),
        );
        return;
      }
      let split = rank - 1;
      let inner = 1;
      while (split > 0 && inner * shape[split]! <= chunkElements) inner *= shape[split--]!;
      if (inner * shape[split]! <= chunkElements) {
        await visit(
          tensor,
          shape.map(() => 0),
        );
        return;
      }
      const slab = Math.max(1, Math.floor(chunkElements / inner));
      const outer = shape.slice(0, split);
      const index = outer.map(() => 0);
      for (;;) {
        for (let s = 0; s < shape[split]!; s += slab) {
          const start = [...index, s, ...shape.slice(split + 1).map(() => 0)];
          const extent = [...outer.map(() => 1), Math.min(slab, shape[split]! - s), ...shape.slice(split + 1)];
          await visit(extract(tensor, { start, shape: extent }), start);
        }
        let a = outer.length - 1;
        while (a >= 0 && ++index[a]! >= outer[a]!) index[a--] = 0;
        if (a < 0) return;
      }
    },
  };
}

/** A sample of whole in-memory tensors by id, each streamed by {@link tensorSource}. */
export function sampleSource(
  tensors: Readonly<Record<string, { readonly tensor: Tensor; readonly axes: readonly AxisDescription[] }>>,
  chunkElements?: number,
): StatisticsSource {
  return {
    tensor(id) {
      const entry = Object.hasOwn(tensors, id) ? tensors[id] : undefined;
      return entry === undefined ? undefined : tensorSource(entry.tensor, entry.axes, chunkElements);
    },
  };
}

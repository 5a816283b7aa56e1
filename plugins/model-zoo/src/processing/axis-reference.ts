import type { AxisDescription } from '../model-description.js';

/**
 * Axis references of processing kwargs. The rdf names axes several ways: 0.4 letters (`b`, `c`,
 * `x`), 0.5 ids (`batch`, `channel`, `x`), or ids of its own for index/space axes. All are compared
 * by a canonical key: the batch and channel axes by their type, `time`/`index` by their letter,
 * other ids as written.
 */

const ALIASES: Readonly<Record<string, string>> = { batch: 'b', channel: 'c', time: 't', index: 'i' };

/** The canonical key of an axis reference (`batch` and `b` → `b`, `channel` and `c` → `c`, …). */
export function axisKey(reference: string): string {
  return ALIASES[reference] ?? reference;
}

/** The canonical key of a tensor axis: `b`/`c` for batch/channel axes whatever their id, else {@link axisKey} of the id. */
export function describedAxisKey(axis: AxisDescription): string {
  if (axis.type === 'batch') return 'b';
  if (axis.type === 'channel') return 'c';
  return axisKey(axis.id);
}

/** Position of the axis `reference` names in `axes`, or -1 when the tensor has no such axis. */
export function findAxis(axes: readonly AxisDescription[], reference: string): number {
  const key = axisKey(reference);
  return axes.findIndex((a) => describedAxisKey(a) === key);
}

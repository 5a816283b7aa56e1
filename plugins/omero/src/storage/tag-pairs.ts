import type { Tags } from '@bioimageit/core';
import type { Pairs } from './omero-repository.js';

/** One key/value MapAnnotation holding tags (client namespace), as read from OMERO.web. */
export interface TagMap {
  readonly annId: number;
  readonly pairs: Pairs;
}

/** What to write so that an object's tag maps carry the edited tags. */
export interface TagWrite {
  /** Maps whose pairs change (an empty list deletes the annotation). */
  readonly updates: readonly { readonly annId: number; readonly pairs: Pairs }[];
  /** Pairs of a new map, when keys are added and no editable map exists. */
  readonly create?: Pairs;
}

/**
 * Tags of an object from its client-namespace maps, in annotation order; with duplicate keys
 * (OMERO allows them) the first value wins.
 */
export function tagsOf(maps: readonly TagMap[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const map of maps) for (const [k, v] of map.pairs) if (!(k in tags)) tags[k] = v;
  return tags;
}

/**
 * Edits tags in place: a key set is changed where it first appears (its duplicates dropped), a
 * new key is appended to the first editable map (or a new map), a removed key is dropped from
 * every map. Maps that do not change are not written; pairs of other keys keep their order.
 */
export function editTags(maps: readonly TagMap[], editable: ReadonlySet<number>, set: Tags = {}, remove: readonly string[] = []): TagWrite {
  const removed = new Set(remove.filter((k) => !(k in set)));
  const placed = new Set<string>();
  const updates: { annId: number; pairs: Pairs }[] = [];
  const next = maps.map((map) => {
    const pairs: [string, string][] = [];
    for (const [k, v] of map.pairs) {
      if (removed.has(k)) continue;
      if (k in set) {
        if (placed.has(k)) continue;
        placed.add(k);
        pairs.push([k, set[k]!]);
      } else pairs.push([k, v]);
    }
    return { annId: map.annId, pairs };
  });
  const missing = Object.keys(set)
    .filter((k) => !placed.has(k))
    .map((k): [string, string] => [k, set[k]!]);
  const target = next.find((m) => editable.has(m.annId));
  if (target && missing.length > 0) target.pairs.push(...missing);
  next.forEach((m, i) => {
    if (!samePairs(m.pairs, maps[i]!.pairs)) updates.push(m);
  });
  return { updates, ...(target === undefined && missing.length > 0 && { create: missing }) };
}

function samePairs(a: Pairs, b: Pairs): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i]![0] === k && b[i]![1] === v);
}

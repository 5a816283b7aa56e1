import type { Tags } from '../model/data-item.js';

/**
 * The tags every one of `tagSets` carries with the same value: what an output made from several
 * inputs (a reduce or group job, or a job pairing items of several inputs) may claim of all of
 * them. The keys a job's inputs were grouped or matched by are always among them. Keys keep the
 * order of the first set; no set at all shares nothing (`{}`).
 */
export function sharedTags(tagSets: readonly Tags[]): Tags {
  const [first, ...rest] = tagSets;
  if (first === undefined) return {};
  const shared: Record<string, string> = {};
  for (const [key, value] of Object.entries(first)) if (rest.every((tags) => tags[key] === value)) shared[key] = value;
  return shared;
}

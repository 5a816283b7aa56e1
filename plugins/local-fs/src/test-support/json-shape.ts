import { readFile } from 'node:fs/promises';

/** Helpers of the v1 format specs: compare the shape (keys, key order) of JSON files. */

/** Every key path of a JSON value (`common.url`, `urls[].uuid`...), sorted. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => keyPaths(v, `${prefix}[]`)))].sort();
  if (typeof value !== 'object' || value === null) return prefix === '' ? [] : [prefix];
  const own = Object.entries(value).flatMap(([k, v]) => [`${prefix}${prefix ? '.' : ''}${k}`, ...keyPaths(v, `${prefix}${prefix ? '.' : ''}${k}`)]);
  return [...new Set(own)].sort();
}

/** Key order of a JSON object, recursively, as written. */
export function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [keyOrder(value[0])] : [];
  if (typeof value !== 'object' || value === null) return null;
  return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
}

/** Blanks what legitimately differs in content between two v1 files of the same kind. */
export function normalized(doc: Record<string, unknown>): Record<string, unknown> {
  const out = { ...doc };
  if ('metadata' in out) out['metadata'] = {};
  if ('processed_datasets' in out) out['processed_datasets'] = [];
  return out;
}

/** Reads a JSON file: its exact text and its parsed value. */
export async function json(file: string): Promise<{ text: string; value: Record<string, unknown> }> {
  const text = await readFile(file, 'utf8');
  return { text, value: JSON.parse(text) as Record<string, unknown> };
}

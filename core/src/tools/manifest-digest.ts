import { createHash } from 'node:crypto';
import type { ToolManifest, ToolManifestBody } from './tool-manifest.js';

/**
 * Canonical JSON of a plain value: object keys sorted by code unit, no whitespace, `undefined`
 * members dropped, arrays kept in order. Two values that are equal as JSON give the same text
 * whatever their key order. Throws a TypeError on non-finite numbers and non-plain values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
}

/**
 * The digest of a manifest: lower-case hex sha256 over its canonical JSON without `source` and
 * `digest`, followed by `extra` byte blocks (a v1 wrapper's XML), each preceded by a NUL byte and
 * its length so that blocks cannot be confused. Runs cache on it: any change to a field of the
 * manifest (a parameter default, the argv) gives a new digest.
 */
export function computeToolDigest(manifest: ToolManifestBody | ToolManifest, extra: readonly Uint8Array[] = []): string {
  const { source: _source, digest: _digest, ...body } = manifest as Partial<ToolManifest> & ToolManifestBody;
  const hash = createHash('sha256').update(canonicalJson(body), 'utf8');
  for (const block of extra) hash.update(`\0${block.byteLength}\0`, 'utf8').update(block);
  return hash.digest('hex');
}

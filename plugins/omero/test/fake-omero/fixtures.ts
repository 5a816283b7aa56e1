import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const cache = new Map<string, unknown>();

/** The recorded OMERO.web body `name` (without `.json`), parsed once and deep-copied per call. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  if (!cache.has(name)) cache.set(name, JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')));
  return structuredClone(cache.get(name)) as T;
}

/** The recorded message of an error fixture (`{"message": ...}`). */
export function fixtureMessage(name: string): string {
  return fixture<{ message: string }>(name).message;
}

/**
 * Rewrites the fixtures' normalised origin `http://localhost:4080` to the fake's own origin, as the
 * real server builds every `url:*` from the incoming request.
 */
export function withOrigin<T>(value: T, origin: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('http://localhost:4080', origin)) as T;
}

/**
 * Serialises like Python's `json.dumps` defaults, which the real server uses: separators `", "`
 * and `": "`, non-ASCII escaped as `\uXXXX`.
 */
export function pythonJson(value: unknown): string {
  const text = JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.replace(/"(?:[^"\\]|\\.)*"|[,:]/g, (m) => (m === ',' ? ', ' : m === ':' ? ': ' : m));
}

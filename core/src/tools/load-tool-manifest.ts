import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ToolError } from '../errors/area-errors.js';
import { computeToolDigest } from './manifest-digest.js';
import type { ToolManifest, ToolManifestBody } from './tool-manifest.js';
import { validateToolManifest } from './validate-tool-manifest.js';

/**
 * Builds a loaded manifest from an already parsed native manifest: validates it, records `source`
 * (a file path, or a plugin's `plugin:ID` for tools contributed in code), computes the digest over
 * the body and `extra` bytes, and deep-freezes the result.
 *
 * @throws ToolError BAD_MANIFEST naming `source` and the JSON path of each problem.
 */
export function createToolManifest(raw: unknown, source: string): ToolManifest {
  return sealManifest(validateToolManifest(raw, source), source);
}

/** A deep-frozen copy of `body` with `source` and `digest` (over the body and `extra` byte blocks). */
export function sealManifest(body: ToolManifestBody, source: string, extra: readonly Uint8Array[] = []): ToolManifest {
  const copy = structuredClone(body);
  return deepFreeze({ ...copy, source, digest: computeToolDigest(copy, extra) });
}

/**
 * Reads and validates a native manifest file (`*.tool.json`). Called by `DirectoryToolSource` and
 * by `bioimageit tools validate`.
 *
 * @throws ToolError NOT_FOUND when the file cannot be read; BAD_MANIFEST naming the file with the
 * line and column of a JSON syntax error, or the JSON path of each schema problem.
 */
export async function loadToolManifest(path: string): Promise<ToolManifest> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new ToolError('NOT_FOUND', `${file}: cannot read tool manifest (${(cause as Error).message})`, { cause, details: { file } });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text);
  } catch (cause) {
    const message = (cause as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position === null ? undefined : lineAndColumn(text, Number(position[1]));
    const at = where === undefined ? '' : `line ${where.line}, column ${where.column}: `;
    throw new ToolError('BAD_MANIFEST', `${file}: ${at}invalid JSON (${message})`, { cause, details: { file, ...where } });
  }
  return createToolManifest(raw, file);
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

import { ToolError } from '@bioimageit/core';
import { unzipSync } from 'fflate';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveInside } from './package-paths.js';

/** Unpacking a model package `.zip` (fflate) without ever writing outside the target folder. */

/** True when `bytes` start like a zip archive (`PK\x03\x04`, or `PK\x05\x06` for an empty one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/**
 * Writes every entry of the zip `bytes` under `target` (created). `zipName` names the archive in
 * errors. Entries are checked before anything is written.
 *
 * @throws ToolError `BAD_MANIFEST` `"ZIP: entry '../x' would be written outside the package
 *   folder; refused"` for an absolute or climbing entry name (`details` `{ file, entry }`), or
 *   `"ZIP: not a valid zip archive: …"`.
 */
export function unpackZip(bytes: Uint8Array, target: string, zipName: string): void {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new ToolError('BAD_MANIFEST', `${zipName}: not a valid zip archive: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      details: { file: zipName },
    });
  }
  const planned: [string, Uint8Array | undefined][] = [];
  for (const [name, data] of Object.entries(entries)) {
    const isFolder = name.endsWith('/') || name.endsWith('\\');
    const relative = name.replace(/[\\/]+$/, '');
    if (relative === '' && isFolder) continue;
    const full = resolveInside(target, relative);
    if (full === undefined) {
      throw new ToolError('BAD_MANIFEST', `${zipName}: entry '${name}' would be written outside the package folder; refused`, {
        details: { file: zipName, entry: name },
      });
    }
    planned.push([full, isFolder ? undefined : data]);
  }
  mkdirSync(target, { recursive: true });
  for (const [full, data] of planned) {
    if (data === undefined) {
      mkdirSync(full, { recursive: true });
    } else {
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, data);
    }
  }
}

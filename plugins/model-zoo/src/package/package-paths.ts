import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** Paths inside a model package, the models cache folder and file hashes. */

/** True for an `http://` or `https://` URL. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * The absolute path of `relative` inside `root`, or `undefined` when it is absolute or leaves
 * `root` (`../x`, `a/../../x`, a Windows drive or a backslash path climbing out).
 */
export function resolveInside(root: string, relative: string): string | undefined {
  if (relative === '' || path.isAbsolute(relative) || path.win32.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) return undefined;
  const parts = relative.split(/[\\/]+/);
  if (parts.includes('..')) return undefined;
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  return full === base || full.startsWith(base + path.sep) ? full : undefined;
}

/** The models cache folder: `$BIOIMAGEIT_MODELS_DIR`, else `~/.cache/bioimageit/models`. */
export function defaultModelsCacheDir(): string {
  const fromEnv = process.env['BIOIMAGEIT_MODELS_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.join(homedir(), '.cache', 'bioimageit', 'models');
}

/** Lower-case hex sha256 of bytes or a string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Lower-case hex sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

import { createHash } from 'node:crypto';

/** Longest item name a safe name keeps, in UTF-8 bytes (backends add suffixes such as `_<n>.md.json` within 255). */
export const MAX_SAFE_NAME_BYTES = 200;

/** Extensions kept whole when a long name is shortened (the longest that matches wins). */
const COMPOUND_EXTENSIONS = ['.ome.tiff', '.ome.tif', '.ome.zarr', '.tar.gz', '.nii.gz'];

/**
 * A name every storage backend can hold for a file called `name`, and whether it differs:
 * control characters (C0 and DEL), path separators (`/`, `\`) and runs of dots (`..`) become `_`;
 * a name left empty or made of dots becomes `unnamed`; a name longer than
 * {@link MAX_SAFE_NAME_BYTES} UTF-8 bytes is cut (never inside a character) and ends with `~`
 * and 8 hex digits of the original's sha256 before its extension, so two long names sharing a
 * prefix stay apart. The same name always maps to the same safe name.
 */
export function safeItemName(name: string): { readonly name: string; readonly changed: boolean } {
  let safe = '';
  for (const char of name) {
    const code = char.codePointAt(0)!;
    safe += code < 0x20 || code === 0x7f || char === '/' || char === '\\' ? '_' : char;
  }
  safe = safe.replace(/\.{2,}/g, '_').trim();
  if (safe === '' || /^\.+$/.test(safe)) safe = 'unnamed';
  if (Buffer.byteLength(safe) > MAX_SAFE_NAME_BYTES) safe = shorten(safe, name);
  return { name: safe, changed: safe !== name };
}

function shorten(safe: string, original: string): string {
  const lower = safe.toLowerCase();
  const compound = COMPOUND_EXTENSIONS.find((ext) => lower.endsWith(ext));
  const dot = safe.lastIndexOf('.');
  let extension = compound !== undefined ? safe.slice(-compound.length) : dot > 0 && safe.length - dot <= 10 ? safe.slice(dot) : '';
  if (Buffer.byteLength(extension) > 16) extension = '';
  const mark = `~${createHash('sha256').update(original).digest('hex').slice(0, 8)}`;
  const room = MAX_SAFE_NAME_BYTES - Buffer.byteLength(mark) - Buffer.byteLength(extension);
  let stem = '';
  let bytes = 0;
  for (const char of safe.slice(0, safe.length - extension.length)) {
    const size = Buffer.byteLength(char);
    if (bytes + size > room) break;
    stem += char;
    bytes += size;
  }
  return `${stem}${mark}${extension}`;
}

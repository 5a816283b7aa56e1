/** How a file's prefix placeholder is replaced (conda's `file_mode`). */
export type PrefixFileMode = 'text' | 'binary';

/** The placeholder of packages built before conda-build 3 (and of `info/has_prefix` lines without one). */
export const LEGACY_PLACEHOLDER = '/opt/anaconda1anaconda2anaconda3';

/**
 * Replaces a package's build prefix placeholder with the environment's prefix, as conda does:
 *
 * - `text`: every occurrence is replaced (the file may change length);
 * - `binary`: inside each NUL-terminated string holding the placeholder, every occurrence is
 *   replaced and the string is padded with NULs to its old length, so offsets in the binary stay
 *   valid. Throws when the prefix is longer than the placeholder (the string would not fit).
 *
 * Returns the content unchanged (same buffer) when the placeholder does not occur.
 */
export function replacePrefix(content: Buffer, placeholder: string, prefix: string, mode: PrefixFileMode): Buffer {
  const from = Buffer.from(placeholder);
  const to = Buffer.from(prefix);
  if (content.indexOf(from) < 0) return content;
  if (mode === 'text') {
    const parts: Buffer[] = [];
    let at = 0;
    for (let hit = content.indexOf(from); hit >= 0; hit = content.indexOf(from, at)) {
      parts.push(content.subarray(at, hit), to);
      at = hit + from.length;
    }
    parts.push(content.subarray(at));
    return Buffer.concat(parts);
  }
  if (to.length > from.length) {
    throw new Error(`the environment prefix (${to.length} bytes) is longer than the package's placeholder (${from.length} bytes)`);
  }
  const out = Buffer.from(content);
  let hit = out.indexOf(from);
  while (hit >= 0) {
    let end = out.indexOf(0, hit);
    if (end < 0) end = out.length;
    const segment = out.subarray(hit, end);
    const replaced = Buffer.from(replacePrefix(Buffer.from(segment), placeholder, prefix, 'text'));
    out.fill(0, hit, end);
    replaced.copy(out, hit);
    hit = out.indexOf(from, hit + replaced.length);
  }
  return out;
}

/** Longest `#!` line Linux honours (BINPRM_BUF_SIZE 128, with its NUL). */
export const MAX_SHEBANG = 127;

/**
 * Shortens a script's `#!PREFIX/bin/interpreter args` line that is too long for the kernel to
 * `#!/usr/bin/env interpreter args`, as conda does (the activated PATH finds the interpreter in
 * the prefix). Other content, and short or foreign shebangs, come back unchanged.
 */
export function fixLongShebang(content: Buffer, prefix: string): Buffer {
  if (content[0] !== 0x23 || content[1] !== 0x21) return content;
  let end = content.indexOf(0x0a);
  if (end < 0) end = content.length;
  if (end <= MAX_SHEBANG) return content;
  const line = content.toString('utf8', 2, end).trim();
  const bin = `${prefix}/bin/`;
  if (!line.startsWith(bin)) return content;
  return Buffer.concat([Buffer.from(`#!/usr/bin/env ${line.slice(bin.length)}`), content.subarray(end)]);
}

/**
 * Whether `text` holds a C0 control character (U+0000 to U+001F: NUL, tab, newline, escape…), or
 * also DEL (U+007F) with `{ del: true }`. Names, tag keys and paths that users and servers see must
 * hold none: used by core's tag rules and by storage plugins' name checks.
 */
export function hasControlCharacter(text: string, options: { readonly del?: boolean } = {}): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (options.del === true && code === 0x7f)) return true;
  }
  return false;
}

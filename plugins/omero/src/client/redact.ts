/**
 * Secrets the client knows (password, OMERO session key, Django session id, CSRF token): every
 * message the plugin builds from server replies or failures passes through {@link Redactor.clean},
 * so none of them reaches a log, an error or a file other than the 0600 session file.
 *
 * A server may echo a secret in another form than it was sent in, so each secret is matched as
 * written, percent-encoded (any case, `+` or `%20` for a space, each character encoded or not, as
 * URL and form encoders differ), JSON-escaped (`\"`, `\\`, `\/`, `\uXXXX`) and base64-encoded
 * (standard and URL-safe alphabets, at any of the three byte alignments it can have inside a longer
 * encoded value such as `user:password` in a Basic authorization). Secrets of any length are
 * redacted; one shorter than {@link SHORT} characters only where it stands alone (no letter or
 * digit right before or after), so that a three-letter password does not blank every word holding it.
 */
export class Redactor {
  private readonly patterns = new Map<string, RegExp>();

  /** Remembers a secret (an empty or missing one is ignored). */
  add(secret: string | undefined): void {
    if (secret === undefined || secret === '' || this.patterns.has(secret)) return;
    this.patterns.set(secret, secretPattern(secret));
  }

  /** `text` with every form of every known secret replaced by `***`. */
  clean(text: string): string {
    let out = text;
    for (const pattern of this.patterns.values()) out = out.replace(pattern, '***');
    return out;
  }
}

/** Secrets shorter than this are redacted only where they stand alone. */
export const SHORT = 4;

/** The shortest base64 run (characters) taken as a secret's encoding inside a longer value. */
const MIN_BASE64_CORE = 8;

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A hex number as a pattern that takes either case (`3d` matches `3d` and `3D`). */
const anyCaseHex = (value: number, width: number): string =>
  value
    .toString(16)
    .padStart(width, '0')
    .replace(/[a-f]/g, (d) => `[${d}${d.toUpperCase()}]`);

/** Every way one character (code point) may be written: as is, percent-encoded bytes, JSON escapes. */
function characterForms(char: string): string {
  const forms = [escapeRegex(char)];
  forms.push([...Buffer.from(char, 'utf8')].map((b) => `%${anyCaseHex(b, 2)}`).join(''));
  if (char === ' ') forms.push('\\+');
  if (char === '"' || char === '\\' || char === '/') forms.push(escapeRegex(`\\${char}`));
  forms.push(Array.from({ length: char.length }, (_, i) => `\\\\u${anyCaseHex(char.charCodeAt(i), 4)}`).join(''));
  return `(?:${forms.join('|')})`;
}

/**
 * The secret in base64: its own encoding, and the characters that depend on its bytes only when it
 * starts at byte offset 0, 1 or 2 of a longer encoded value (the full 3-byte groups it covers). Runs
 * shorter than {@link MIN_BASE64_CORE} are left out (too likely in other text).
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const runs = [bytes.toString('base64')];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = offset === 0 ? 0 : 3;
    const last = Math.floor((offset + bytes.length) / 3) * 3;
    if (last > first) runs.push(encoded.slice((first / 3) * 4, (last / 3) * 4));
  }
  const forms = new Set<string>();
  for (const run of runs.filter((r) => r.replace(/=+$/, '').length >= MIN_BASE64_CORE)) {
    forms.add(run);
    forms.add(run.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  // Longest first: the whole encoding (with its padding) before a core inside it.
  return [...forms].sort((a, b) => b.length - a.length);
}

/** One regular expression (alternatives of fixed-length pieces: no backtracking blow-up) for every form of `secret`. */
function secretPattern(secret: string): RegExp {
  const written = [...secret].map(characterForms).join('');
  const alternatives = [written, ...base64Forms(secret).map(escapeRegex)].join('|');
  const alone = [...secret].length < SHORT;
  return new RegExp(alone ? `(?<![A-Za-z0-9])(?:${alternatives})(?![A-Za-z0-9])` : alternatives, 'g');
}

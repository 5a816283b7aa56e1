import { describe, expect, it } from 'vitest';
import { hasControlCharacter } from './control-characters.js';

describe('hasControlCharacter', () => {
  it('finds C0 controls anywhere, and DEL only when asked', () => {
    expect(hasControlCharacter('plain name é 名')).toBe(false);
    expect(hasControlCharacter('')).toBe(false);
    for (const c of ['\0', '\t', '\n', '\r', '\x1b', '\x1f']) expect(hasControlCharacter(`a${c}b`), JSON.stringify(c)).toBe(true);
    expect(hasControlCharacter(' ~')).toBe(false);
    expect(hasControlCharacter('a\x7fb')).toBe(false);
    expect(hasControlCharacter('a\x7fb', { del: true })).toBe(true);
    expect(hasControlCharacter('\x80\u2028')).toBe(false);
  });
});

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.js';

const HOSTILE = [
  "it's",
  'two words',
  '$(id)',
  '`id`',
  '${HOME}',
  '"q"',
  "'",
  "''",
  '*',
  '~',
  'a|b&c>d<e;',
  '',
  'tab\there',
  'l1\nl2',
  'back\\slash',
  'ünï µm',
  '-n',
  '\\',
  '!',
];

describe('shellQuote', () => {
  it('makes /bin/sh pass every value through as one literal argument', () => {
    const script = `printf '<%s>\\n' ${HOSTILE.map(shellQuote).join(' ')}`;
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    expect(out).toBe(HOSTILE.map((a) => `<${a}>\n`).join(''));
  });

  it('wraps in single quotes and escapes embedded ones', () => {
    expect(shellQuote('plain')).toBe("'plain'");
    expect(shellQuote("a'b")).toBe("'a'\\''b'");
  });

  it('refuses a NUL byte', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.js';

const redactor = (...secrets: string[]): Redactor => {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
};

describe('Redactor', () => {
  const password = 'S3cr3t+p@ss&=%!';

  it('hides a secret as written, URL- or form-encoded however the encoder chose, and JSON-escaped', () => {
    const r = redactor(password);
    // A server echoing the login body (the red-team case): '+' kept, '!' encoded.
    expect(r.clean('body: username=ada&password=S3cr3t+p%40ss%26%3D%25%21&x=1')).toBe('body: username=ada&password=***&x=1');
    expect(r.clean(`raw ${password} end`)).toBe('raw *** end');
    expect(r.clean(encodeURIComponent(password))).toBe('***');
    expect(r.clean(new URLSearchParams({ p: password }).toString())).toBe('p=***');
    expect(r.clean(encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))).toBe('***');
    const odd = 'quote"back\\slash/ é 😀 x';
    const r2 = redactor(odd);
    expect(r2.clean(JSON.stringify({ password: odd }))).toBe('{"password":"***"}');
    expect(r2.clean('{"password":"quote\\"back\\\\slash\\/ \\u00e9 \\ud83d\\ude00 x"}')).toBe('{"password":"***"}');
    expect(r2.clean(`pw=${encodeURIComponent(odd).replace(/%20/g, '+')}`)).toBe('pw=***');
  });

  it('hides its base64 forms: alone, URL-safe, and inside a longer value at every alignment (Basic authorization)', () => {
    const r = redactor(password);
    expect(r.clean(`token ${Buffer.from(password).toString('base64')} end`)).toBe('token *** end');
    expect(r.clean(Buffer.from(password).toString('base64url'))).toBe('***');
    for (const user of ['a', 'ab', 'abc', 'ada.lovelace']) {
      const header = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      const cleaned = r.clean(header);
      expect(cleaned, user).toContain('***');
      // What is left of the encoding cannot spell the password back.
      expect(Buffer.from(cleaned.replace('Basic ', '').replace('***', ''), 'base64').toString('latin1')).not.toContain('p@ss');
    }
  });

  it('hides secrets of any length; a short one only where it stands alone', () => {
    const r = redactor('x9', 'abc');
    expect(r.clean('password=x9&user=abcdef')).toBe('password=***&user=abcdef');
    expect(r.clean('{"p":"abc"} tabcab x9y')).toBe('{"p":"***"} tabcab x9y');
    expect(r.clean('key x9')).toBe('key ***');
  });

  it('leaves text without secrets alone, ignores empty secrets, and is case-sensitive on the secret itself', () => {
    const r = redactor('', 'SessionKey-0b30');
    r.add(undefined);
    expect(r.clean('nothing to see')).toBe('nothing to see');
    expect(r.clean('sessionkey-0b30 vs SessionKey-0b30')).toBe('sessionkey-0b30 vs ***');
  });

  it('stays linear on long texts (fixed-length alternatives only)', () => {
    const r = redactor(password, 'another-secret-value');
    const text = `${'S3cr3t+p%40'.repeat(20_000)} ${'%'.repeat(100_000)}`;
    expect(r.clean(text)).toBe(text);
  });
});

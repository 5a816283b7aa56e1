import { describe, expect, it } from 'vitest';
import { fixLongShebang, replacePrefix } from './prefix-replacement.js';

const P = '/opt/placeholder_placeholder_placeholder';

describe('replacePrefix', () => {
  it('replaces every occurrence in text files, changing the length', () => {
    const out = replacePrefix(Buffer.from(`a=${P}/bin\nb=${P}/lib:${P}\n`), P, '/e', 'text');
    expect(out.toString()).toBe('a=/e/bin\nb=/e/lib:/e\n');
  });

  it('keeps binary files the same length: each C string is rewritten and padded with NULs', () => {
    const input = Buffer.concat([Buffer.from('\x7fELF\0'), Buffer.from(`${P}/lib:${P}/lib64\0`), Buffer.from('rest\0')]);
    const out = replacePrefix(input, P, '/env', 'binary');
    expect(out.length).toBe(input.length);
    const padding = 2 * (P.length - '/env'.length);
    expect(out.equals(Buffer.concat([Buffer.from('\x7fELF\0'), Buffer.from('/env/lib:/env/lib64'), Buffer.alloc(padding + 1), Buffer.from('rest\0')]))).toBe(
      true,
    );
  });

  it('handles a placeholder in the last string without a terminating NUL', () => {
    const out = replacePrefix(Buffer.from(`x\0${P}/share`), P, '/e', 'binary');
    expect(out.toString('latin1')).toBe(`x\0/e/share${'\0'.repeat(P.length - 2)}`);
  });

  it('refuses a prefix longer than the placeholder in binary files', () => {
    expect(() => replacePrefix(Buffer.from(`${P}\0`), P, `/${'x'.repeat(P.length)}`, 'binary')).toThrow(/longer than the package's placeholder/);
  });

  it('returns the same buffer when the placeholder does not occur', () => {
    const input = Buffer.from('nothing here');
    expect(replacePrefix(input, P, '/e', 'binary')).toBe(input);
  });
});

describe('fixLongShebang', () => {
  const long = `/w/${'deep/'.repeat(30)}.bioimageit/envs/0123456789abcdef0123`;

  it('turns a too long #!PREFIX/bin/x line into #!/usr/bin/env x, keeping arguments and the rest', () => {
    const out = fixLongShebang(Buffer.from(`#!${long}/bin/python -u\nprint(1)\n`), long);
    expect(out.toString()).toBe('#!/usr/bin/env python -u\nprint(1)\n');
  });

  it('leaves short shebangs, foreign interpreters and non-scripts alone', () => {
    for (const text of ['#!/e/bin/python\n', `#!/usr/bin/${'x'.repeat(200)}\n`, `no shebang ${long}/bin/python\n`]) {
      const input = Buffer.from(text);
      expect(fixLongShebang(input, text.startsWith('#!/e') ? '/e' : long)).toBe(input);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { parseShedYml } from './shed-yml.js';

describe('parseShedYml', () => {
  it('reads the v1 fixture layout', () => {
    expect(parseShedYml('categories:\n  - Baseline\ndescription: baseline tools\nname: biitcopy\nowner: baseline\n', 'f')).toEqual({
      categories: ['Baseline'],
      description: 'baseline tools',
      name: 'biitcopy',
      owner: 'baseline',
    });
  });

  it('handles comments, quotes, flow lists, continued plain scalars and block scalars', () => {
    const text = [
      '---',
      '# header',
      'name: "a # b" # trailing',
      "owner: 'it''s'",
      'categories: [Denoising, "Deconvolution, 3D"]',
      'empty: []',
      'description: a long',
      '  description here',
      'long_description: |',
      '  line one',
      '    indented',
      '',
      '  line three',
      'folded: >-',
      '  one',
      '  two',
      '',
      '  three',
      'url: https://x.org/a#frag',
    ].join('\n');
    expect(parseShedYml(text, 'f')).toEqual({
      name: 'a # b',
      owner: "it's",
      categories: ['Denoising', 'Deconvolution, 3D'],
      empty: [],
      description: 'a long description here',
      long_description: 'line one\n  indented\n\nline three\n',
      folded: 'one two\nthree',
      url: 'https://x.org/a#frag',
    });
  });

  it.each([
    ['a: 1\na: 2', "line 2: duplicate key 'a'"],
    ['  a: 1', 'line 1: unexpected indentation'],
    ['just text', "line 1: expected 'key: value'"],
    ['a:\n  b: c', 'line 2: nested mappings are not supported'],
    ['a: "open', 'line 1: unterminated double-quoted string'],
    ['a: &anchor x', 'line 1: anchors, aliases, tags and flow mappings are not supported'],
    ['a:\n\t- x', 'line 2: tabs are not allowed in indentation'],
  ])('rejects %j naming the file and line', (text, message) => {
    expect(() => parseShedYml(text, '/t/.shed.yml')).toThrow(`/t/.shed.yml: ${message}`);
  });
});

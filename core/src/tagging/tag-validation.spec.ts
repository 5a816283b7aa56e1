import { describe, expect, it } from 'vitest';
import { compileTagRule } from './tag-rules.js';
import { validateTagKey, validateTags, validateTagUpdates } from './tag-validation.js';

describe('tag validation', () => {
  it.each(['__proto__', 'constructor', 'prototype', '', '  ', 'a\nb', 'a\u007f', 7])('rejects the key %j', (key) => {
    expect(() => validateTagKey(key)).toThrow(expect.objectContaining({ code: 'INVALID' }));
  });

  it('accepts ordinary keys and values, tabs and line breaks in values', () => {
    expect(() => validateTags({ Population: 'p1', 'Well ID': 'A 01', note: 'a\tb\r\nc' }, 'x')).not.toThrow();
  });

  it('checks every key and value of a whole edit, an own __proto__ included', () => {
    const set = JSON.parse('{"KeyB":"b","__proto__":"x"}') as Record<string, string>;
    expect(() =>
      validateTagUpdates([
        { itemId: 'a', set: { KeyB: 'b' } },
        { itemId: 'b', set },
      ]),
    ).toThrow(/__proto__/);
    expect(() => validateTagUpdates([{ itemId: 'a', set: { K: 'nul\u0000' } }])).toThrow(expect.objectContaining({ code: 'INVALID' }));
    expect(() => validateTagUpdates([{ itemId: 'a', set: { K: 1 as unknown as string } }])).toThrow(expect.objectContaining({ code: 'INVALID' }));
    expect(() => validateTagUpdates([{ itemId: 'a', remove: ['constructor'] }])).toThrow(/constructor/);
    expect(() => validateTagUpdates([{ itemId: '', set: {} }])).toThrow(/item id/);
  });

  it('rejects reserved keys in set rules and regex group names', () => {
    const set = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(() => compileTagRule({ kind: 'set', tags: set })).toThrow(/__proto__/);
    expect(() => compileTagRule({ kind: 'regex', pattern: '(?<constructor>\\w+)' })).toThrow(/constructor/);
    expect(() => compileTagRule({ kind: 'separator', key: 'prototype', separator: '_', position: 0 })).toThrow(/prototype/);
    expect(compileTagRule({ kind: 'regex', pattern: '(?<Well>[A-P]\\d{2})(?=_)(?!x)' })({ name: 'A01_s1', relativePath: 'A01_s1' })).toEqual({ Well: 'A01' });
  });
});

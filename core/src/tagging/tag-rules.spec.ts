import { describe, expect, it } from 'vitest';
import { applyTagRules, compileTagRule, fileStem } from './tag-rules.js';

const subject = (name: string, relativePath = name) => ({ name, relativePath });

describe('tag rules', () => {
  it('regex: named groups become tags (CellProfiler style), on the name or the path', () => {
    const byName = compileTagRule({ kind: 'regex', pattern: '(?<Population>population\\d)_(?<number>\\d+)' });
    expect(byName(subject('population1_007.tif'))).toEqual({ Population: 'population1', number: '007' });
    expect(byName(subject('other.tif'))).toEqual({});
    const byPath = compileTagRule({ kind: 'regex', pattern: '^(?<Plate>[^/]+)/(?<Well>[A-P]\\d{2})/', source: 'path' });
    expect(byPath(subject('img.tif', 'plate7/B03/img.tif'))).toEqual({ Plate: 'plate7', Well: 'B03' });
  });

  it('regex: rejects patterns that are invalid or have no named group', () => {
    expect(() => compileTagRule({ kind: 'regex', pattern: '(?<a>[' })).toThrow(/invalid tag pattern/);
    expect(() => compileTagRule({ kind: 'regex', pattern: 'population\\d' })).toThrow(/no named group/);
  });

  it('separator: v1 annotate_using_separator, "" when out of range, negative from the end', () => {
    const rule = (position: number) => compileTagRule({ kind: 'separator', key: 'k', separator: '_', position });
    expect(rule(0)(subject('population1_001.tif'))).toEqual({ k: 'population1' });
    expect(rule(1)(subject('population1_001.tif'))).toEqual({ k: '001' });
    expect(rule(5)(subject('population1_001.tif'))).toEqual({ k: '' });
    expect(rule(-1)(subject('a_b_c.ome.tif'))).toEqual({ k: 'c' });
  });

  it('words: v1 annotate_from_name, first listed word found in the name', () => {
    const rule = compileTagRule({ kind: 'words', key: 'Population', words: ['population2', 'population1'] });
    expect(rule(subject('population1_001.tif'))).toEqual({ Population: 'population1' });
    expect(rule(subject('x.tif'))).toEqual({});
  });

  it('folder: keys from the top, or the folder holding the file', () => {
    const rule = compileTagRule({ kind: 'folder', keys: ['Plate', 'Well'], key: 'Parent' });
    expect(rule(subject('a.tif', 'p1/A01/site1/a.tif'))).toEqual({ Plate: 'p1', Well: 'A01', Parent: 'site1' });
    expect(rule(subject('a.tif', 'a.tif'))).toEqual({});
    expect(() => compileTagRule({ kind: 'folder' })).toThrow(/folder tagging needs a key/);
  });

  it('later rules override earlier ones; bad keys are refused', () => {
    const rules = [compileTagRule({ kind: 'set', tags: { a: '1', b: '1' } }), compileTagRule({ kind: 'set', tags: { b: '2' } })];
    expect(applyTagRules(rules, subject('x'))).toEqual({ a: '1', b: '2' });
    expect(() => compileTagRule({ kind: 'set', tags: { ' ': 'x' } })).toThrow(/invalid tag key/);
    expect(() => compileTagRule({ kind: 'separator', key: 'k', separator: '', position: 0 })).toThrow(/separator must not be empty/);
  });

  it('fileStem strips one extension, or .ome.tif as one', () => {
    expect(fileStem('a.b.tif')).toBe('a.b');
    expect(fileStem('cells.ome.tiff')).toBe('cells');
    expect(fileStem('README')).toBe('README');
    expect(fileStem('.hidden')).toBe('.hidden');
  });
});

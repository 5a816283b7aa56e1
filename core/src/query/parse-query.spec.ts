import { describe, it, expect } from 'vitest';
import type { DataItem } from '../model/index.js';
import { filterItems, parseQuery } from './parse-query.js';
import { parseQueryNumber } from './query-compiler.js';
import type { QueryFields } from './query-fields.js';

function item(name: string, tags: Record<string, string> = {}, rest: Partial<QueryFields> = {}): QueryFields {
  return { name, format: 'imagetiff', date: '2026-11-24', dataset: 'data', tags, ...rest };
}

const items: readonly QueryFields[] = [
  item('a_001.tif', { number: '001', kind: 'cell', 'cell line': 'HeLa' }),
  item('a_003.tif', { number: '003', kind: 'nucleus' }),
  item('b_010.tif', { number: '10', kind: 'cell', name: 'tagged' }, { format: 'tablecsv', date: '2025-01-31' }),
  item('b_2.tif', { number: '2.5e0', kind: 'Cell' }, { dataset: 'threshold' }),
  item('c.tif', { number: 'n/a' }),
  item('d.tif', {}),
];

const names = (query: string) => filterItems(items, query).map((i) => i.name);

describe('parseQuery evaluation', () => {
  it('matches everything with an empty query', () => {
    expect(names('')).toHaveLength(items.length);
    expect(names('   ')).toHaveLength(items.length);
  });

  it('= and != are exact on tags', () => {
    expect(names('kind=cell')).toEqual(['a_001.tif', 'b_010.tif']);
    expect(names('number=1')).toEqual([]);
    expect(names('number=001')).toEqual(['a_001.tif']);
    expect(names('kind!=cell')).toEqual(['a_003.tif', 'b_2.tif', 'c.tif', 'd.tif']);
    expect(names('kind==Cell')).toEqual(['b_2.tif']);
  });

  it('compares numerically when both sides are numbers, as strings otherwise', () => {
    // 'n/a' is text, so it compares with '2' as a string ('n' > '2'); '' (missing) is below.
    expect(names('number>2')).toEqual(['a_003.tif', 'b_010.tif', 'b_2.tif', 'c.tif']);
    expect(names('number>=3')).toEqual(['a_003.tif', 'b_010.tif', 'c.tif']);
    expect(names('number<3')).toEqual(['a_001.tif', 'b_2.tif', 'd.tif']);
    expect(names('number<=1')).toEqual(['a_001.tif', 'd.tif']);
    expect(names('number > 2.5 AND number~^[0-9]')).toEqual(['a_003.tif', 'b_010.tif']);
  });

  it('falls back to string order on text, never throwing', () => {
    expect(names('number>a')).toEqual(['c.tif']);
    expect(names('kind<d')).toEqual(['a_001.tif', 'b_010.tif', 'b_2.tif', 'c.tif', 'd.tif']);
    expect(names('date>=2026-01-01')).toEqual(names('date=2026-11-24'));
    expect(names('date<2026')).toEqual(['b_010.tif']);
  });

  it('reads a missing tag as the empty string', () => {
    expect(names('kind=""')).toEqual(['c.tif', 'd.tif']);
    expect(names("number=''")).toEqual(['d.tif']);
    expect(names('missing!=x')).toHaveLength(items.length);
    expect(names('constructor=x OR toString~.')).toEqual([]);
  });

  it('~ and !~ search a regular expression anywhere in the value', () => {
    expect(names('kind~^c')).toEqual(['a_001.tif', 'b_010.tif']);
    expect(names('kind~ell')).toEqual(['a_001.tif', 'b_010.tif', 'b_2.tif']);
    expect(names(String.raw`name~_\d{3}\.tif$`)).toEqual(['a_001.tif', 'a_003.tif', 'b_010.tif']);
    expect(names('name~(a|c)[._]')).toEqual(['a_001.tif', 'a_003.tif', 'c.tif']);
    expect(names('kind!~"^[cC]ell$"')).toEqual(['a_003.tif', 'c.tif', 'd.tif']);
  });

  it('in and not in test exact membership', () => {
    expect(names('kind in (cell, nucleus)')).toEqual(['a_001.tif', 'a_003.tif', 'b_010.tif']);
    expect(names('number in (1, 3)')).toEqual([]);
    expect(names('kind not in (cell, nucleus)')).toEqual(['b_2.tif', 'c.tif', 'd.tif']);
    expect(names('name in (c.tif, "d.tif")')).toEqual(['c.tif', 'd.tif']);
  });

  it('keeps v1 substring semantics for name= only', () => {
    expect(names('name=_0')).toEqual(['a_001.tif', 'a_003.tif', 'b_010.tif']);
    expect(names('name!=_0')).toEqual(['b_2.tif', 'c.tif', 'd.tif']);
    expect(names('name in (_0)')).toEqual([]);
    expect(names('name>c')).toEqual(['c.tif', 'd.tif']);
  });

  it('reaches item fields and tags that share their names', () => {
    expect(names('format=tablecsv')).toEqual(['b_010.tif']);
    expect(names('dataset!=data')).toEqual(['b_2.tif']);
    expect(names('tag:name=tagged')).toEqual(['b_010.tif']);
    expect(names('tags.name=tagged')).toEqual(['b_010.tif']);
    expect(names('name=tagged')).toEqual([]);
    expect(names('"cell line"=HeLa')).toEqual(['a_001.tif']);
  });

  it('combines with precedence NOT > AND > OR and parentheses', () => {
    expect(names('kind=cell OR kind=nucleus AND number>5')).toEqual(['a_001.tif', 'b_010.tif']);
    expect(names('(kind=cell OR kind=nucleus) AND number>2')).toEqual(['a_003.tif', 'b_010.tif']);
    expect(names('NOT kind=cell AND number>2')).toEqual(['a_003.tif', 'b_2.tif', 'c.tif']);
    expect(names('NOT (kind=cell OR number>2)')).toEqual(['d.tif']);
    expect(names('!(kind=cell) && (number<2 || format=tablecsv)')).toEqual(['d.tif']);
    expect(names('kind=cell OR kind=Cell OR kind=nucleus')).toHaveLength(4);
  });

  it('lists the tag keys a query reads, once each', () => {
    const q = parseQuery('name=a AND (kind=x OR number>2) AND NOT kind in (y) AND tag:name=z AND date>1');
    expect(q.keys).toEqual(['kind', 'number', 'name']);
    expect(q.text).toContain('tag:name');
    expect(parseQuery('').keys).toEqual([]);
  });

  it('reuses a parsed query and keeps the input order', () => {
    const q = parseQuery('kind in (cell, Cell)');
    expect(filterItems(items, q)).toEqual([items[0], items[2], items[3]]);
    expect(items.filter(q.matches)).toEqual(filterItems(items, q));
  });

  it('filters DataItems as they are', () => {
    const d: DataItem = {
      id: '1',
      uri: 'file:///w/e/data/x.md.json',
      dataset: 'data',
      name: 'x.tif',
      format: 'imagetiff',
      dataUri: 'file:///w/e/data/x.tif',
      author: 'me',
      date: '2026-11-24',
      tags: { k: 'v' },
      metadata: {},
      origin: { type: 'raw' },
    };
    const hits: DataItem[] = filterItems([d], 'k=v AND dataset=data');
    expect(hits).toEqual([d]);
  });

  it('parses numbers as decimal notation only', () => {
    expect(['001', ' 2.5e3 ', '-.5', '+4.', '1E-2'].map(parseQueryNumber)).toEqual([1, 2500, -0.5, 4, 0.01]);
    expect(['', ' ', '0x10', 'inf', 'NaN', '1e999', '1,5', '2026-11-24'].map(parseQueryNumber)).toEqual(Array(8).fill(undefined));
  });

  it('filters 100,000 items correctly with a 3-clause query', () => {
    const many: QueryFields[] = [];
    for (let i = 0; i < 100_000; i++) {
      many.push(item(`p${i % 2}_${String(i).padStart(6, '0')}.tif`, { Population: `population${(i % 2) + 1}`, number: String(i) }));
    }
    const hits = filterItems(many, 'Population=population1 AND number>=1000 AND name~"0\\.tif$"');
    const expected = many.filter((_, i) => i % 2 === 0 && i >= 1000 && i % 10 === 0);
    expect(hits).toHaveLength(9_900);
    expect(hits).toEqual(expected);
  });
});

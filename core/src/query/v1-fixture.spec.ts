import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { filterItems } from './parse-query.js';
import type { QueryFields } from './query-fields.js';

/** The experiment written by the real BioImageIT v1 (see the fixtures' README). */
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../tests/fixtures/v1');
const DATA = join(FIXTURES, 'exp100', 'data');

interface V1RawData {
  readonly common?: { readonly name: string; readonly format: string; readonly date: string };
  readonly key_value_pairs?: Record<string, string>;
}

function loadItems(): QueryFields[] {
  const items: QueryFields[] = [];
  for (const file of readdirSync(DATA)
    .filter((f) => f.endsWith('.md.json'))
    .sort()) {
    const json = JSON.parse(readFileSync(join(DATA, file), 'utf8')) as V1RawData;
    if (json.common === undefined) continue; // raw_dataset.md.json
    const { name, format, date } = json.common;
    items.push({ name, format, date, dataset: 'data', tags: json.key_value_pairs ?? {} });
  }
  return items;
}

/**
 * v1's algorithm (bioimageit_core/core/query.py), rewritten from its description: split on the
 * literal ' AND '; a clause containing 'name' is a substring test on the item name; otherwise
 * the first of <=, >=, =, <, > found splits key and value, = compares strings, the others floats;
 * missing tags read as ''.
 */
function v1Query(items: readonly QueryFields[], query: string): QueryFields[] {
  let selected = [...items];
  for (const clause of query.split(' AND ')) {
    const op = ['<=', '>=', '=', '<', '>'].find((o) => clause.includes(o));
    if (op === undefined) throw new Error(`v1 cannot read clause ${clause}`);
    const at = clause.indexOf(op);
    const key = clause.slice(0, at);
    const value = clause.slice(at + op.length);
    if (clause.includes('name')) {
      selected = selected.filter((i) => i.name.includes(value));
      continue;
    }
    const tag = (i: QueryFields) => i.tags[key] ?? '';
    const float = (s: string) => {
      const n = Number.parseFloat(s);
      if (Number.isNaN(n)) throw new Error(`v1 would crash: float(${JSON.stringify(s)})`);
      return n;
    };
    const tests: Record<string, (i: QueryFields) => boolean> = {
      '=': (i) => tag(i) === value,
      '<=': (i) => float(tag(i)) <= float(value),
      '>=': (i) => float(tag(i)) >= float(value),
      '<': (i) => float(tag(i)) < float(value),
      '>': (i) => float(tag(i)) > float(value),
    };
    selected = selected.filter(tests[op]!);
  }
  return selected;
}

describe('queries on the v1 fixture exp100', () => {
  const items = loadItems();
  const names = (list: readonly QueryFields[]) => list.map((i) => i.name);
  const num = (i: QueryFields) => Number(i.tags['number']);
  const pop = (i: QueryFields) => i.tags['Population'];

  it('loads the 100 raw items', () => {
    expect(items).toHaveLength(100);
  });

  it("returns v1's 49 hits for Population=population1 AND number>2", () => {
    const hits = filterItems(items, 'Population=population1 AND number>2');
    expect(hits).toHaveLength(49);
    expect(names(hits)).not.toContain('population1_001.tif');
    expect(names(hits)).toContain('population1_003.tif');
  });

  it.each([
    'Population=population1 AND number>2',
    'Population=population1',
    'Population=population2 AND number<50 AND number>40',
    'number<=10',
    'number>=95 AND Population=population2',
    'number=050',
    'number=50',
    'name=population2_0',
    'name=_01 AND number<15',
    'name=population1_001.tif',
    'Population=nobody',
  ])('agrees with v1 on %s', (query) => {
    expect(names(filterItems(items, query))).toEqual(names(v1Query(items, query)));
  });

  it.each<readonly [string, number, (i: QueryFields) => boolean]>([
    ['Population=population1 OR number>=90', 56, (i) => pop(i) === 'population1' || num(i) >= 90],
    ['NOT Population=population1 AND number<10', 4, (i) => pop(i) !== 'population1' && num(i) < 10],
    ['Population!=population1', 50, (i) => pop(i) !== 'population1'],
    ['name~"^population2_0[0-4]"', 24, (i) => /^population2_0[0-4]/.test(i.name)],
    [String.raw`name~[02468]\.tif$ AND number!~^00`, 46, (i) => /[02468]\.tif$/.test(i.name) && !i.tags['number']!.startsWith('00')],
    ['number in (001, 002, 100, 1)', 3, (i) => ['001', '002', '100'].includes(i.tags['number']!)],
    ['number not in (001, 003) AND Population=population1', 48, (i) => pop(i) === 'population1' && num(i) > 3],
    [
      '(Population=population1 AND number<10) OR (Population=population2 AND number>90)',
      10,
      (i) => (pop(i) === 'population1' && num(i) < 10) || (pop(i) === 'population2' && num(i) > 90),
    ],
    ['dataset=data AND format=imagetiff AND date>=2026-01-01', 100, () => true],
    ['NOT (name=population1 OR number<=50)', 25, (i) => !i.name.includes('population1') && num(i) > 50],
  ])('%s selects the items a direct filter selects', (query, count, expected) => {
    const hits = filterItems(items, query);
    expect(names(hits)).toEqual(names(items.filter(expected)));
    expect(hits).toHaveLength(count);
  });
});

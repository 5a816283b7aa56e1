import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import type { DataItem } from '../model/data-item.js';
import { planJobs } from './plan-jobs.js';

const item = (id: string, name: string, tags: Record<string, string>): DataItem => ({
  id,
  uri: `file:///x/${name}.md.json`,
  dataset: 'data',
  name,
  format: 'imagetiff',
  dataUri: `file:///x/${name}`,
  author: 'a',
  date: '2026-01-01',
  tags,
  metadata: {},
  origin: { type: 'raw' },
});

const ids = (plans: ReturnType<typeof planJobs>['plans']) =>
  plans.map((p) => Object.fromEntries(Object.entries(p.bindings).map(([k, v]) => [k, v.map((i) => i.id)])));

describe('planJobs', () => {
  it('makes one job per item for one input, named after the data file stem (v1 naming)', () => {
    const { plans, unmatched } = planJobs(new Map([['i', [item('a', 'population1_001.tif', {}), item('b', 'x.ome.tif', {})]]]), { toolId: 't', reduce: false });
    expect(ids(plans)).toEqual([{ i: ['a'] }, { i: ['b'] }]);
    expect(plans.map((p) => p.stem)).toEqual(['population1_001', 'x']);
    expect(plans.every((p) => !p.grouped)).toBe(true);
    expect(unmatched).toEqual([]);
  });

  it('pairs several inputs by tag keys as an inner join and reports the unmatched items', () => {
    const images = [item('i1', 'a1.tif', { P: 'p1', n: '1' }), item('i2', 'a2.tif', { P: 'p1', n: '2' }), item('i3', 'a3.tif', { P: 'p2', n: '1' })];
    const masks = [
      item('m2', 'm2.tif', { P: 'p1', n: '2' }),
      item('m1', 'm1.tif', { P: 'p1', n: '1' }),
      item('m9', 'm9.tif', { P: 'p9', n: '1' }),
      item('mx', 'mx.tif', { P: 'p1' }),
    ];
    const { plans, unmatched } = planJobs(
      new Map([
        ['image', images],
        ['mask', masks],
      ]),
      { toolId: 't', reduce: false, matchBy: ['P', 'n'] },
    );
    expect(ids(plans)).toEqual([
      { image: ['i1'], mask: ['m1'] },
      { image: ['i2'], mask: ['m2'] },
    ]);
    expect(plans.map((p) => p.stem)).toEqual(['a1', 'a2']);
    expect(unmatched.map((u) => [u.input, u.itemId])).toEqual([
      ['mask', 'mx'],
      ['image', 'i3'],
      ['mask', 'm9'],
    ]);
    expect(unmatched[0]?.reason).toBe('lacks tag n');
    expect(unmatched[1]?.reason).toBe("no item with P=p2, n=1 in input 'mask'");
  });

  it('refuses a key tuple that names two items of one input', () => {
    const two = [item('a', 'a.tif', { P: 'p1' }), item('b', 'b.tif', { P: 'p1' })];
    expect(() =>
      planJobs(
        new Map([
          ['i', two],
          ['j', two],
        ]),
        { toolId: 't', reduce: false, matchBy: ['P'] },
      ),
    ).toThrow(/two items with P=p1 \('a.tif' and 'b.tif'\)/);
  });

  it('pairs by position when asked (v1), and needs equal counts', () => {
    const a = [item('a1', 'a1.tif', {}), item('a2', 'a2.tif', {})];
    const b = [item('b1', 'b1.tif', {}), item('b2', 'b2.tif', {})];
    expect(
      ids(
        planJobs(
          new Map([
            ['i', a],
            ['j', b],
          ]),
          { toolId: 't', reduce: false, matchBy: 'position' },
        ).plans,
      ),
    ).toEqual([
      { i: ['a1'], j: ['b1'] },
      { i: ['a2'], j: ['b2'] },
    ]);
    const err = (() => {
      try {
        planJobs(
          new Map([
            ['i', a],
            ['j', b.slice(1)],
          ]),
          { toolId: 't', reduce: false, matchBy: 'position' },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).message).toBe("tool 't': pairing by position needs the same number of items in every input (got 'i' 2, 'j' 1)");
  });

  it('asks how to pair several inputs when neither matchBy nor position is given', () => {
    const a = [item('a', 'a.tif', {})];
    expect(() =>
      planJobs(
        new Map([
          ['i', a],
          ['j', a],
        ]),
        { toolId: 't', reduce: false },
      ),
    ).toThrow(/say how to pair their items/);
  });

  it('groups by tag values (one job per group, joined across inputs) and runs a reduce tool once over everything', () => {
    const items = [item('a', 'a.tif', { P: 'p1' }), item('b', 'b.tif', { P: 'p2' }), item('c', 'c.tif', { P: 'p1' })];
    const grouped = planJobs(new Map([['i', items]]), { toolId: 't', reduce: false, groupBy: ['P'] });
    expect(ids(grouped.plans)).toEqual([{ i: ['a', 'c'] }, { i: ['b'] }]);
    expect(grouped.plans.map((p) => [p.stem, p.grouped])).toEqual([
      ['p1', true],
      ['p2', true],
    ]);
    const reduce = planJobs(new Map([['i', items]]), { toolId: 't', reduce: true });
    expect(ids(reduce.plans)).toEqual([{ i: ['a', 'b', 'c'] }]);
    expect(reduce.plans[0]?.stem).toBe('all');
  });
});

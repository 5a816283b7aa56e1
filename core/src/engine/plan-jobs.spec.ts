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
    expect((err as ToolError).message).toBe(
      "tool 't': pairing by position needs the same number of items in every input (got 'i' 2, 'j' 1); to give input 'j' (one item) to every job, broadcast it (broadcast, --broadcast j)",
    );
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

  const catchError = (f: () => unknown): ToolError => {
    try {
      f();
    } catch (e) {
      return e as ToolError;
    }
    throw new Error('expected an error');
  };
  const stacks = [
    item('s1', 'cell1_T0.tif', { Cell: 'cell1', T: '0' }),
    item('s2', 'cell1_T1.tif', { Cell: 'cell1', T: '1' }),
    item('s3', 'cell2_T0.tif', { Cell: 'cell2', T: '0' }),
  ];
  const psf = [item('p', 'psf.tif', { Kind: 'psf' })];

  it("gives a broadcast input's one item to every job: 3 stacks and 1 PSF make 3 jobs", () => {
    const selection = new Map([
      ['stack', stacks],
      ['psf', psf],
    ]);
    const { plans, unmatched } = planJobs(selection, { toolId: 't', reduce: false, broadcast: ['psf'] });
    expect(ids(plans)).toEqual([
      { stack: ['s1'], psf: ['p'] },
      { stack: ['s2'], psf: ['p'] },
      { stack: ['s3'], psf: ['p'] },
    ]);
    expect(plans.map((p) => p.stem)).toEqual(['cell1_T0', 'cell1_T1', 'cell2_T0']);
    expect(unmatched).toEqual([]);
    // binding order follows the inputs, broadcast first or not
    const reversed = planJobs(
      new Map([
        ['psf', psf],
        ['stack', stacks],
      ]),
      { toolId: 't', reduce: false, broadcast: ['psf'] },
    );
    expect(Object.keys(reversed.plans[0]?.bindings ?? {})).toEqual(['psf', 'stack']);
  });

  it('refuses a broadcast input of several items, and offers broadcast when position pairing meets a lone item', () => {
    const selection = new Map([
      ['stack', stacks],
      ['psf', [...psf, item('q', 'psf2.tif', {})]],
    ]);
    expect(catchError(() => planJobs(selection, { toolId: 't', reduce: false, broadcast: ['psf'] })).message).toBe(
      "tool 't': broadcast input 'psf' selects 2 items; a broadcast input gives its one item to every job: narrow its query to one item ('psf.tif', 'psf2.tif')",
    );
    const lone = new Map([
      ['stack', stacks],
      ['psf', psf],
    ]);
    expect(catchError(() => planJobs(lone, { toolId: 't', reduce: false, matchBy: 'position' })).message).toMatch(
      /got 'stack' 3, 'psf' 1\); to give input 'psf' \(one item\) to every job, broadcast it \(broadcast, --broadcast psf\)$/,
    );
    expect(catchError(() => planJobs(lone, { toolId: 't', reduce: false })).message).toMatch(/or give input 'psf' \(one item\) to every job/);
  });

  it('orders each group by numeric tag values (T=2 before T=10) and leaves out items lacking the order key', () => {
    const series = ['10', '2', '0', '1'].map((t) => item(`c1t${t}`, `c1_T${t}.tif`, { Cell: 'c1', T: t }));
    const other = [
      item('c2t1', 'c2_T1.tif', { Cell: 'c2', T: '1' }),
      item('c2t0', 'c2_T0.tif', { Cell: 'c2', T: '0' }),
      item('c2x', 'c2_x.tif', { Cell: 'c2' }),
    ];
    const { plans, unmatched } = planJobs(new Map([['stacks', [...series, ...other]]]), { toolId: 't', reduce: true, groupBy: ['Cell'], orderBy: ['T'] });
    expect(ids(plans)).toEqual([{ stacks: ['c1t0', 'c1t1', 'c1t2', 'c1t10'] }, { stacks: ['c2t0', 'c2t1'] }]);
    expect(unmatched.map((u) => [u.itemId, u.reason])).toEqual([['c2x', 'lacks tag T']]);
    // two grouped inputs joined by Cell, each in T order, plus a broadcast one
    const tables = [item('k1', 'k1.csv', { Cell: 'c1', T: '1' }), item('k0', 'k0.csv', { Cell: 'c1', T: '0' })];
    const tracks = [item('tr', 'c1_tracks.csv', { Cell: 'c1' })];
    const joined = planJobs(
      new Map([
        ['stacks', series],
        ['spots', tables],
        ['tracks', tracks],
        ['psf', psf],
      ]),
      { toolId: 't', reduce: true, groupBy: ['Cell'], orderBy: ['T'], broadcast: ['psf'] },
    );
    // a group of one item (the series' tracks table) needs no T
    expect(ids(joined.plans)).toEqual([{ stacks: ['c1t0', 'c1t1', 'c1t2', 'c1t10'], spots: ['k0', 'k1'], tracks: ['tr'], psf: ['p'] }]);
    expect(joined.unmatched).toEqual([]);
  });

  it('fails a run that plans no job, naming the reason and listing the items left out', () => {
    const masks = [item('m', 'm.tif', { Cell: 'cell9', T: '0' })];
    const error = catchError(() =>
      planJobs(
        new Map([
          ['stack', stacks],
          ['mask', masks],
        ]),
        { toolId: 't', reduce: false, matchBy: ['Cell', 'T'] },
      ),
    );
    expect(error).toBeInstanceOf(ToolError);
    expect(error.code).toBe('NOTHING_TO_RUN');
    expect(error.message).toMatch(/^tool 't': the run plans no job: pairing by Cell, T left out all 4 selected item\(s\) \('stack' 3, 'mask' 1\)/);
    expect(error.message).toContain("stack: cell1_T0.tif: no item with Cell=cell1, T=0 in input 'mask'");
    expect((error.details['unmatched'] as unknown[]).length).toBe(4);
  });
});

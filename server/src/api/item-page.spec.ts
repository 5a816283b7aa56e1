import { describe, expect, it } from 'vitest';
import type { DataItem, ExperimentStore } from '@bioimageit/core';
import { ItemPager } from './item-page.js';

const item = (i: number, tags: Record<string, string>): DataItem =>
  ({
    id: `id${i}`,
    name: `img_${i}.tif`,
    dataset: 'data',
    format: 'imagetiff',
    date: '2026-11-26',
    tags,
    metadata: {},
    origin: { type: 'raw' },
  }) as unknown as DataItem;

/** A store whose items array is replaced (frozen) on every write, as local-fs does; counts reads. */
function fakeStore(initial: DataItem[], frozen = true) {
  let items: readonly DataItem[] = frozen ? Object.freeze([...initial]) : [...initial];
  const store = {
    items: async () => items,
    info: async () => ({ keys: ['n'] }),
  } as unknown as ExperimentStore;
  return { store, replace: (next: DataItem[]) => (items = frozen ? Object.freeze([...next]) : [...next]) };
}

describe('ItemPager', () => {
  const rows = Array.from({ length: 30 }, (_, i) => item(i, { n: String(i), even: String(i % 2 === 0) }));

  it('pages the selection and counts it', async () => {
    const { store } = fakeStore(rows);
    const page = await new ItemPager().page(store, { dataset: 'data', where: 'even=true AND n>=10', offset: 2, limit: 3 });
    expect(page.total).toBe(10);
    expect(page.items.map((i) => i.tags['n'])).toEqual(['14', '16', '18']);
  });

  it('sorts in natural order, both ways', async () => {
    const { store } = fakeStore(rows);
    const pager = new ItemPager();
    const desc = await pager.page(store, { dataset: 'data', where: '', offset: 0, limit: 3, sort: 'n', descending: true });
    expect(desc.items.map((i) => i.tags['n'])).toEqual(['29', '28', '27']);
    const byName = await pager.page(store, { dataset: 'data', where: '', offset: 0, limit: 3, sort: 'name' });
    expect(byName.items.map((i) => i.name)).toEqual(['img_0.tif', 'img_1.tif', 'img_2.tif']);
  });

  it('reuses a selection while the dataset array is unchanged, and sees every write', async () => {
    const own = rows.map((r) => item(Number(r.tags['n']), { ...r.tags }));
    const { store, replace } = fakeStore(own);
    const pager = new ItemPager();
    const ask = () => pager.page(store, { dataset: 'data', where: 'even=true', offset: 0, limit: 100 });
    expect((await ask()).total).toBe(15);
    (own[0]!.tags as Record<string, string>)['even'] = 'false';
    expect((await ask()).total).toBe(15);
    replace(own.map((r, i) => (i === 1 ? item(1, { n: '1', even: 'true' }) : r)));
    expect((await ask()).total).toBe(15);
    expect((await ask()).items.map((i) => i.tags['n']).slice(0, 2)).toEqual(['1', '2']);
  });

  it('never keeps selections of an array the store could still change in place', async () => {
    const mutable = rows.slice(0, 4);
    const store = { items: async () => mutable } as unknown as ExperimentStore;
    const pager = new ItemPager();
    expect((await pager.page(store, { dataset: 'data', where: 'even=true', offset: 0, limit: 10 })).total).toBe(2);
    mutable.push(item(40, { n: '40', even: 'true' }));
    expect((await pager.page(store, { dataset: 'data', where: 'even=true', offset: 0, limit: 10 })).total).toBe(3);
  });

  it('keeps the column of a query error as typed (leading spaces count)', async () => {
    const { store } = fakeStore(rows);
    await expect(new ItemPager().page(store, { dataset: 'data', where: '  n>', offset: 0, limit: 1 })).rejects.toMatchObject({ details: { column: 5 } });
  });
});

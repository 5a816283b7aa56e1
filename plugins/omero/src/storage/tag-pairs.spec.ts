import { describe, expect, it } from 'vitest';
import { editTags, tagsOf } from './tag-pairs.js';

const maps = [
  {
    annId: 1,
    pairs: [
      ['Population', 'p1'],
      ['number', '1'],
      ['Population', 'dup'],
    ] as [string, string][],
  },
  { annId: 2, pairs: [['Well', 'A1']] as [string, string][] },
];

describe('tag pairs', () => {
  it('reads tags across maps, the first value of a duplicated key winning', () => {
    expect(tagsOf(maps)).toEqual({ Population: 'p1', number: '1', Well: 'A1' });
  });

  it('changes a key where it first appears, drops its duplicates, appends new keys to the first editable map', () => {
    expect(editTags(maps, new Set([1, 2]), { Population: 'p9', Condition: 'x' })).toEqual({
      updates: [
        {
          annId: 1,
          pairs: [
            ['Population', 'p9'],
            ['number', '1'],
            ['Condition', 'x'],
          ],
        },
      ],
    });
  });

  it('removes a key from every map and writes only maps that change (an emptied map is deleted by the server)', () => {
    expect(editTags(maps, new Set([1, 2]), {}, ['Well'])).toEqual({ updates: [{ annId: 2, pairs: [] }] });
    expect(editTags(maps, new Set([1, 2]), { Well: 'A1' })).toEqual({ updates: [] });
  });

  it("creates a new map when no map may be edited, never touching others' maps for new keys", () => {
    expect(editTags(maps, new Set(), { New: 'v' })).toEqual({ updates: [], create: [['New', 'v']] });
    expect(editTags([], new Set(), { a: '1' })).toEqual({ updates: [], create: [['a', '1']] });
  });

  it('lets a set win over a remove of the same key', () => {
    expect(editTags(maps, new Set([1]), { number: '2' }, ['number'])).toEqual({
      updates: [
        {
          annId: 1,
          pairs: [
            ['Population', 'p1'],
            ['number', '2'],
            ['Population', 'dup'],
          ],
        },
      ],
    });
  });
});

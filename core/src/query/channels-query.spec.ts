import { describe, expect, it } from 'vitest';
import type { DataItem } from '../model/index.js';
import { filterItems, parseQuery } from './parse-query.js';
import type { QueryFields } from './query-fields.js';

function item(name: string, channels?: unknown, tags: Record<string, string> = {}): QueryFields {
  const metadata = channels === undefined ? {} : { channels };
  return { name, format: 'imagetiff', date: '2026-11-24', dataset: 'data', tags, metadata } as QueryFields;
}

const items: readonly QueryFields[] = [
  item('dapi-gfp.tif', [
    { name: 'DAPI', color: '#0000ff' },
    { name: 'GFP', color: '#00ff00' },
  ]),
  item('egfp-cy5.tif', [{ name: 'EGFP' }, { name: 'Cy5' }]),
  item('dapi.tif', [{ name: 'DAPI' }]),
  item('unnamed.tif', [{ color: '#ff0000' }, {}]),
  item('none.tif'),
  item('tagged.tif', undefined, { channels: 'GFP' }),
  item('hand-edited.tif', 'GFP'),
  item('odd-entries.tif', [null, 'GFP', { name: 42 }, { name: 'mCherry' }]),
  { name: 'no-metadata.tif', format: 'imagetiff', date: '2026-11-24', dataset: 'data', tags: {} },
];

const names = (query: string) => filterItems(items, query).map((i) => i.name);

describe('the channels field', () => {
  it("channels ~ 'GFP' selects exactly the items with a channel whose name contains GFP", () => {
    expect(names("channels ~ 'GFP'")).toEqual(['dapi-gfp.tif', 'egfp-cy5.tif']);
    expect(names('channels ~ ^GFP$')).toEqual(['dapi-gfp.tif']);
    expect(names('channels ~ (?:Cy5|mCherry)')).toEqual(['egfp-cy5.tif', 'odd-entries.tif']);
  });

  it('= and in match any channel exactly; !=, !~ and not in hold when no channel matches', () => {
    expect(names('channels = DAPI')).toEqual(['dapi-gfp.tif', 'dapi.tif']);
    expect(names('channels in (Cy5, GFP)')).toEqual(['dapi-gfp.tif', 'egfp-cy5.tif']);
    expect(names('channels != DAPI')).toEqual(items.map((i) => i.name).filter((n) => !n.startsWith('dapi')));
    expect(names("channels !~ 'GFP'")).toEqual(['dapi.tif', 'unnamed.tif', 'none.tif', 'tagged.tif', 'hand-edited.tif', 'odd-entries.tif', 'no-metadata.tif']);
    expect(names('channels not in (DAPI, EGFP)')).not.toContain('dapi.tif');
    expect(names('channels = DAPI AND channels = GFP')).toEqual(['dapi-gfp.tif']);
  });

  it('reads a nameless channel and an item without channels as ""; hand-edited metadata never throws', () => {
    expect(names("channels = ''")).toEqual(['unnamed.tif', 'none.tif', 'tagged.tif', 'hand-edited.tif', 'odd-entries.tif', 'no-metadata.tif']);
  });

  it('is an item field: tag:channels still reads a tag of that name, and tagKeys do not reject it', () => {
    expect(names('tag:channels = GFP')).toEqual(['tagged.tif']);
    expect(parseQuery("channels ~ 'GFP'", { tagKeys: ['Population'] }).keys).toEqual([]);
    expect(parseQuery("channels ~ 'GFP'").ast).toMatchObject({ kind: 'compare', field: { kind: 'item', field: 'channels' }, op: '~', value: 'GFP' });
  });

  it('filters DataItems as they are', () => {
    const base = { uri: 'file:///x.md.json', dataset: 'data', format: 'imagetiff', dataUri: 'file:///x.tif', author: 'a', date: '2026-01-01', tags: {} };
    const data: DataItem[] = [
      { ...base, id: '1', name: 'one', metadata: { channels: [{ name: 'GFP' }] }, origin: { type: 'raw' } },
      { ...base, id: '2', name: 'two', metadata: { shape: [3, 4] }, origin: { type: 'raw' } },
    ];
    expect(filterItems(data, "channels ~ 'GFP'").map((i) => i.id)).toEqual(['1']);
  });
});

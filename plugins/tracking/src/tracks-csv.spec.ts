import { readFileSync } from 'node:fs';
import { FormatError, ToolError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import type { TrackingResult } from './track-model.js';
import { formatTracksCsv, parseTracksCsv } from './tracks-csv.js';

const sample = JSON.parse(readFileSync(new URL('./test-fixtures/sample-tracking-result.json', import.meta.url), 'utf8')) as TrackingResult;
/** The sample without its branching track 1 (whose spots become lone spots), costs = squared distances. */
const chains: TrackingResult = { ...sample, image: undefined, tracks: sample.tracks.filter((t) => t.id !== 1).reverse() };

describe('tracks CSV', () => {
  it('writes one row per spot, by track then frame, lone spots last', () => {
    const rows = formatTracksCsv(chains)
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['track_id', 'spot_id', 'frame', 't', 'z', 'y', 'x', 'quality', 'intensity', 'radius', 'parent_ids']);
    expect(rows.slice(1).map((r) => r[10])).toEqual(['', '0', '1', '', '6', '', '', '', '']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['0', '0', '0', '0'],
      ['0', '1', '1', '2'],
      ['0', '2', '2', '4'],
      ['2', '6', '0', '0'],
      ['2', '7', '3', '6'],
      ['', '3', '0', '0'],
      ['', '4', '1', '2'],
      ['', '5', '1', '2'],
      ['', '8', '2', '4'],
    ]);
  });

  it('reads back the same spots and tracks, edges costing the squared distance', () => {
    const back = parseTracksCsv(formatTracksCsv(chains), { spaceUnit: 'µm', timeUnit: 's' });
    const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id;
    expect([...back.spots].sort(byId)).toEqual([...sample.spots].sort(byId));
    expect(back.tracks).toEqual([...chains.tracks].sort(byId));
    expect(back).toMatchObject({ frameInterval: 2, spaceUnit: 'µm', timeUnit: 's' });
    expect(parseTracksCsv(formatTracksCsv(chains), { frameInterval: 0.5 }).frameInterval).toBe(0.5);
  });

  it('treats a one-row track as a lone spot and defaults the interval to 1', () => {
    const back = parseTracksCsv('track_id,spot_id,frame,t,z,y,x,quality,intensity,radius\n3,1,0,0,0,0,0,1,1,1\n');
    expect(back.tracks).toEqual([]);
    expect(back.frameInterval).toBe(1);
  });

  it('writes splits and merges through parent ids and reads them back; refuses edges that leave a track or go back in time', () => {
    const text = formatTracksCsv(sample);
    const back = parseTracksCsv(text);
    const edgeSet = (r: TrackingResult) =>
      r.tracks
        .flatMap((t) => t.edges.map((e) => `${t.id}:${e.source}>${e.target}`))
        .sort()
        .join(' ');
    expect(edgeSet(back)).toBe(edgeSet(sample));
    // without the parent ids a branching track cannot be read
    const stripped = text
      .trimEnd()
      .split('\n')
      .map((line) => line.split(',').slice(0, 10).join(','))
      .join('\n');
    expect(() => parseTracksCsv(stripped)).toThrow(/two spots in frame 1 \(a split or merge: give the parent_ids column\)/);
    const leaving: TrackingResult = { ...chains, tracks: [{ id: 0, spotIds: [0, 1], edges: [{ source: 0, target: 2, cost: 1 }] }] };
    expect(() => formatTracksCsv(leaving)).toThrow(ToolError);
    expect(() => formatTracksCsv(leaving)).toThrow(/track 0 cannot be written as CSV: edge 0 → 2 leaves the track/);
    const backwards: TrackingResult = { ...chains, tracks: [{ id: 0, spotIds: [0, 1], edges: [{ source: 1, target: 0, cost: 1 }] }] };
    expect(() => formatTracksCsv(backwards)).toThrow(/edge 1 → 0 does not go forward in time/);
    expect(() =>
      parseTracksCsv(`${'track_id,spot_id,frame,t,z,y,x,quality,intensity,radius,parent_ids'}\n0,1,0,0,0,0,0,1,1,1,\n0,2,1,1,0,0,0,1,1,1,7\n`),
    ).toThrow(/line 3, column parent_ids: parent "7" is not an earlier spot of track 0/);
  });

  const header = 'track_id,spot_id,frame,t,z,y,x,quality,intensity,radius\n';
  it.each([
    ['track_id,spot_id,frame,z,y,x\n', 1, undefined, /missing column\(s\) t, quality, intensity, radius/],
    [`${header}a,1,0,0,0,0,0,1,1,1\n`, 2, 'track_id', /"a" is not a finite number/],
    [`${header}0,1,-1,0,0,0,0,1,1,1\n`, 2, 'frame', /negative frame/],
    [`${header}0,1,0,0,0,0,0,1,1,1\n0,2,1.5,0,0,0,0,1,1,1\n`, 3, 'frame', /not an integer/],
    [`${header}0,1,0,0,0,0,0,1,1,1\n\n0,2,0,0,0,0,0,1,1,1\n`, 4, 'frame', /track 0 has two spots in frame 0/],
    [`${header}0,1,0,0,0,0,0,1,1,1\n1,1,1,0,0,0,0,1,1,1\n`, 3, 'spot_id', /duplicate spot_id 1/],
  ])('rejects %j naming line %i, column %s', (csv, line, column, message) => {
    try {
      parseTracksCsv(csv);
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).message).toMatch(message);
      expect((e as FormatError).details).toMatchObject({ line, ...(column ? { column } : {}) });
    }
  });
});

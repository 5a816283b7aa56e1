import { FormatError, ToolError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { formatSpotsCsv, parseSpotsCsv } from './spots-csv.js';
import type { Spot } from './track-model.js';

const spots: Spot[] = [
  { id: 4, frame: 2, x: 1.04, y: 0.52, z: 0.6, quality: 12.5, intensity: 830.25, radius: 0.3 },
  { id: 9, frame: 2, x: 0.1 + 0.2, y: 7, z: 0, quality: 3, intensity: NaN, radius: 0.3 },
];

describe('spots CSV', () => {
  it('writes physical and voxel positions and reads the spots back exactly', () => {
    const csv = formatSpotsCsv(spots, { x: 0.104, y: 0.104, z: 0.2 });
    const lines = csv.split('\n');
    expect(lines[0]).toBe('spot_id,z,y,x,z_px,y_px,x_px,quality,intensity,radius');
    expect(lines[1]!.split(',').slice(0, 7).map(Number)).toEqual([4, 0.6, 0.52, 1.04, 0.6 / 0.2, 0.52 / 0.104, 1.04 / 0.104]);
    expect(parseSpotsCsv(csv, 2)).toEqual(spots);
  });

  it('reads columns in any order, ignoring others, with CRLF and blank lines', () => {
    const csv = 'radius,x,note,y,z,intensity,quality,spot_id\r\n\r\n0.5,1,"a, b",2,3,100,9,0\r\n';
    expect(parseSpotsCsv(csv, 0)).toEqual([{ id: 0, frame: 0, x: 1, y: 2, z: 3, quality: 9, intensity: 100, radius: 0.5 }]);
  });

  it.each([
    ['', 1, undefined, /empty file/],
    ['spot_id,z,y,x,quality,radius\n', 1, undefined, /missing column\(s\) intensity/],
    ['spot_id,z,y,x,quality,intensity,radius\n\n1,0,0,abc,1,1,1\n', 3, 'x', /"abc" is not a finite number/],
    ['spot_id,z,y,x,quality,intensity,radius\n1,0,0,0,1,1,1\n1.5,0,0,0,1,1,1\n', 3, 'spot_id', /is not an integer/],
    ['spot_id,z,y,x,quality,intensity,radius\n1,0,0,0,1,1,1\n1,0,0,0,1,1,1\n', 3, 'spot_id', /duplicate spot_id 1/],
    ['spot_id,z,y,x,quality,intensity,radius\n"1\n",0,0,0,1,1,1\n2,0,,0,1,1,1\n', 4, 'y', /empty cell/],
    ['spot_id,z,y,x,quality,intensity,radius\n1,0,0,0x10,1,1,1\n', 2, 'x', /not a finite number/],
  ])('rejects %j naming line %i, column %s', (csv, line, column, message) => {
    try {
      parseSpotsCsv(csv, 0);
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).message).toMatch(message);
      expect((e as FormatError).message).toContain(`spots CSV: line ${line}${column ? `, column ${column}` : ''}:`);
      expect((e as FormatError).details).toMatchObject({ line, ...(column ? { column } : {}) });
    }
  });

  it('refuses a bad voxel size or frame', () => {
    expect(() => formatSpotsCsv(spots, { x: 0, y: 1, z: 1 })).toThrow(ToolError);
    expect(() => parseSpotsCsv('spot_id,z,y,x,quality,intensity,radius\n', -1)).toThrow(/frame must be a non-negative integer/);
  });
});

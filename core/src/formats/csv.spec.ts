import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors/area-errors.js';
import { CsvCodec } from './csv-codec.js';
import { detectCsvDelimiter, formatCsv, parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('parses plain records with any newline and no trailing empty record', () => {
    expect(parseCsv('a,b,c\r\n1,2,3\n4,5,6\r7,8,9\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '5', '6'],
      ['7', '8', '9'],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('x')).toEqual([['x']]);
  });

  it('handles quotes, doubled quotes, delimiters and line breaks inside quotes', () => {
    const text = 'name,note\r\n"Smith, J.","said ""hi""\r\nthen left"\n"",x\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['Smith, J.', 'said "hi"\r\nthen left'],
      ['', 'x'],
    ]);
  });

  it('keeps empty fields, skips blank lines, drops a BOM', () => {
    expect(parseCsv('\ufeffa,,b\n\n,\n\r\n')).toEqual([
      ['a', '', 'b'],
      ['', ''],
    ]);
  });

  it('is lenient with stray quotes inside unquoted fields and after closing quotes', () => {
    expect(parseCsv('5" screen,"a"b\n')).toEqual([['5" screen', 'ab']]);
  });

  it('uses another delimiter when asked', () => {
    expect(parseCsv('a;b\t;"c;d"', { delimiter: ';' })).toEqual([['a', 'b\t', 'c;d']]);
  });

  it('reports an unterminated quote as CORRUPT with the line where it opened', () => {
    let caught: unknown;
    try {
      parseCsv('a,b\n1,2\n3,"open\nstill open\n', { path: '/t/x.csv' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FormatError);
    expect(caught).toMatchObject({ code: 'CORRUPT', details: { line: 3, path: '/t/x.csv' } });
    expect((caught as Error).message).toBe('/t/x.csv: unterminated quoted field starting on line 3');
  });

  it('counts lines inside earlier quoted fields', () => {
    expect(() => parseCsv('"a\r\nb\rc",x\n"y')).toThrow(/line 4/);
  });
});

describe('formatCsv', () => {
  it('quotes only what needs quoting and round-trips through parseCsv', () => {
    const rows = [
      ['id', 'name', 'note'],
      ['1', 'Smith, J.', 'said "hi"'],
      ['2', '', 'two\nlines'],
      ['3', ' padded ', 'x\r\ny'],
    ];
    const text = formatCsv(rows);
    expect(text).toBe('id,name,note\r\n1,"Smith, J.","said ""hi"""\r\n2,,"two\nlines"\r\n3," padded ","x\r\ny"\r\n');
    expect(parseCsv(text)).toEqual(rows);
  });

  it('honours delimiter and newline options', () => {
    expect(formatCsv([['a;b', 'c']], { delimiter: ';', newline: '\n' })).toBe('"a;b";c\n');
  });
});

describe('CsvCodec', () => {
  const codec = new CsvCodec();
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

  it('reads columns, row count and delimiter', async () => {
    expect(await codec.readMetadata(bytes('\ufeffname,"area, µm²",count\r\na,1,2\nb,3,4\n'), 't.csv')).toEqual({
      columns: ['name', 'area, µm²', 'count'],
      rows: 2,
      delimiter: ',',
    });
    expect(await codec.readMetadata(bytes('a;b;c\n1;2;3\n'), 's.csv')).toMatchObject({ columns: ['a', 'b', 'c'], rows: 1, delimiter: ';' });
    expect(await codec.readMetadata(bytes(''), 'e.csv')).toEqual({ columns: [], rows: 0, delimiter: ',' });
  });

  it('names the file and line of an unterminated quote', async () => {
    await expect(codec.readMetadata(bytes('a,b\n"x,1\n'), '/w/bad.csv')).rejects.toMatchObject({
      code: 'CORRUPT',
      message: expect.stringMatching(/^\/w\/bad\.csv: .*line 2/),
    });
  });

  it('detects tab and ignores delimiters inside quotes', () => {
    expect(detectCsvDelimiter('a\tb\tc\n')).toBe('\t');
    expect(detectCsvDelimiter('"a;b;c",d\n')).toBe(',');
  });
});

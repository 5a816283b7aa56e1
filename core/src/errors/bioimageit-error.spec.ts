import { describe, expect, it } from 'vitest';
import { isBioImageItError } from './bioimageit-error.js';
import { FormatError, QueryError, StorageError } from './area-errors.js';

describe('BioImageItError', () => {
  it('serializes code, area, details and cause', () => {
    const cause = new FormatError('CORRUPT', 'a.tif: bad magic');
    const err = new StorageError('IO', 'cannot import a.tif', { cause, details: { path: 'a.tif' } });
    expect(err.name).toBe('StorageError');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'StorageError',
      area: 'storage',
      code: 'IO',
      message: 'cannot import a.tif',
      details: { path: 'a.tif' },
      cause: { name: 'FormatError', area: 'format', code: 'CORRUPT', message: 'a.tif: bad magic', details: {} },
    });
    expect(isBioImageItError(err)).toBe(true);
    expect(isBioImageItError(err, 'query')).toBe(false);
    expect(isBioImageItError(new Error('x'))).toBe(false);
  });

  it('exposes the column of a query error', () => {
    expect(new QueryError('SYNTAX', 'x', { details: { column: 7 } }).column).toBe(7);
    expect(new QueryError('SYNTAX', 'x').column).toBeUndefined();
  });
});

import { StorageError } from '@bioimageit/core';
import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './api-error.js';

describe('httpStatusOf', () => {
  it('maps storage errors by code: what the backend cannot do is 501, not an internal error', () => {
    expect(httpStatusOf(new StorageError('UNSUPPORTED', 'the storage cannot check its integrity'))).toBe(501);
    expect(httpStatusOf(new StorageError('NOT_FOUND', 'no experiment'))).toBe(404);
    expect(httpStatusOf(new StorageError('LOCKED', 'busy'))).toBe(503);
    expect(httpStatusOf(new StorageError('IO', 'disk'))).toBe(500);
  });
});

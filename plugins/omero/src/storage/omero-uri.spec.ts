import { describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { omeroUri, parseOmeroUri, serverKey } from './omero-uri.js';

describe('omero URIs', () => {
  it('parses servers, objects and trailing segments', () => {
    expect(parseOmeroUri('omero://Omero.Example.org')).toEqual({ server: 'omero.example.org', rest: [] });
    expect(parseOmeroUri('omero://omero.example.org:4443/project/12')).toEqual({ server: 'omero.example.org:4443', kind: 'project', id: 12, rest: [] });
    expect(parseOmeroUri('omero://h/image/5/a%20b.tif')).toEqual({ server: 'h', kind: 'image', id: 5, rest: ['a b.tif'] });
    expect(omeroUri('h:1', 'image', 5, 'a b.tif')).toBe('omero://h:1/image/5/a%20b.tif');
    expect(serverKey('https://Omero.example.org:443/omero')).toBe('omero.example.org');
  });

  it('rejects other schemes as INVALID and malformed ids as NOT_FOUND', () => {
    const code = (uri: string) => {
      try {
        parseOmeroUri(uri);
        return undefined;
      } catch (e) {
        return (e as StorageError).code;
      }
    };
    expect(code('file:///x')).toBe('INVALID');
    expect(code('not a uri')).toBe('INVALID');
    expect(code('omero://h/project/5-missing')).toBe('NOT_FOUND');
    expect(code('omero://h/project')).toBe('NOT_FOUND');
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '@bioimageit/core';
import { resolveOmeroOptions } from './omero-options.js';

describe('resolveOmeroOptions', () => {
  it('fills defaults from XDG folders and reads servers, group and credentials from the environment', async () => {
    const o = resolveOmeroOptions({
      env: {
        HOME: '/home/u',
        XDG_CACHE_HOME: '/cache',
        BIOIMAGEIT_OMERO_GROUP: '53',
        BIOIMAGEIT_OMERO_SERVERS: 'http://127.0.0.1:4080, https://Omero.Example.org/omero/, not a url',
        BIOIMAGEIT_OMERO_USER: 'ben',
        BIOIMAGEIT_OMERO_PASSWORD: 'pw',
      },
    });
    expect(o.cacheDir).toBe(path.join('/cache', 'bioimageit', 'omero'));
    expect(o.sessionFile).toBe(path.join('/home/u', '.config', 'bioimageit', 'omero-sessions.json'));
    expect(o.group).toBe(53);
    expect(o.servers).toEqual({ '127.0.0.1:4080': 'http://127.0.0.1:4080', 'omero.example.org': 'https://Omero.Example.org/omero' });
    expect(await o.credentials('x')).toEqual({ username: 'ben', password: 'pw' });
    expect(await resolveOmeroOptions({ env: { BIOIMAGEIT_OMERO_USER: 'ben' } }).credentials('x')).toBeUndefined();
  });

  it('lets given options win and names an unreadable CA file', () => {
    expect(resolveOmeroOptions({ env: { BIOIMAGEIT_OMERO_CACHE: '/a' }, cacheDir: '/b' }).cacheDir).toBe('/b');
    expect(() => resolveOmeroOptions({ env: { BIOIMAGEIT_OMERO_CA_FILE: '/no/such/ca.pem' } })).toThrow(StorageError);
    expect(() => resolveOmeroOptions({ env: { BIOIMAGEIT_OMERO_CA_FILE: '/no/such/ca.pem' } })).toThrow('/no/such/ca.pem');
  });
});

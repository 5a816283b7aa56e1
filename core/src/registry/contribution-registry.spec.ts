import { describe, expect, it, vi } from 'vitest';
import { PluginError, StorageError } from '../errors/area-errors.js';
import type { StorageBackend } from '../extension-points/storage-backend.js';
import { FormatRegistry, StorageRegistry } from './registries.js';

const backend = (scheme: string) => ({ scheme }) as unknown as StorageBackend;

describe('ContributionRegistry', () => {
  it('rejects a duplicate key naming both owners, and frees the key on dispose', () => {
    const registry = new StorageRegistry();
    const handle = registry.register(backend('file'), 'local-fs');
    expect(() => registry.register(backend('file'), 'other')).toThrow(/'file' from 'other' is already registered by 'local-fs'/);
    handle.dispose();
    handle.dispose();
    expect(() => registry.register(backend('file'), 'other')).not.toThrow();
  });

  it('activates a declared provider once, on first get', async () => {
    const registry = new StorageRegistry();
    const activate = vi.fn(async () => {
      registry.register(backend('omero'), 'omero');
    });
    registry.declare('omero', 'omero', activate);
    expect(registry.peek('omero')).toBeUndefined();
    expect(activate).not.toHaveBeenCalled();
    const first = await registry.get('omero');
    const second = await registry.get('omero');
    expect(first).toBe(second);
    expect(activate).toHaveBeenCalledTimes(1);
    expect(registry.ownerOf('omero')).toBe('omero');
  });

  it('rejects NOT_CONTRIBUTED when the plugin activates without registering its key', async () => {
    const registry = new StorageRegistry();
    registry.declare('s3', 'cloud', async () => {});
    await expect(registry.get('s3')).rejects.toMatchObject({ code: 'NOT_CONTRIBUTED', details: { plugin: 'cloud' } });
  });

  it('rejects two plugins claiming one key', () => {
    const registry = new StorageRegistry();
    registry.declare('file', 'a', async () => {});
    expect(() => registry.declare('file', 'b', async () => {})).toThrow(PluginError);
  });

  it('answers an unknown key with the area error listing what exists', async () => {
    const registry = new StorageRegistry();
    registry.register(backend('file'));
    const err = await registry.get('ftp').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'NO_BACKEND', message: expect.stringContaining('available: file') });
  });

  it('picks the codec with the longest matching extension, and reports duplicate formats as FormatError', () => {
    const formats = new FormatRegistry();
    const codec = (id: string, extensions: string[]) => ({ id, extensions, title: id, readMetadata: async () => ({}) });
    formats.register(codec('imagetiff', ['.tif', '.tiff']));
    formats.register(codec('ometiff', ['.ome.tif']));
    expect(formats.forPath('/x/A.OME.TIF')?.id).toBe('ometiff');
    expect(formats.forPath('/x/a.tif')?.id).toBe('imagetiff');
    expect(formats.forPath('/x/a.png')).toBeUndefined();
    expect(() => formats.register(codec('imagetiff', ['.tif']))).toThrow(expect.objectContaining({ area: 'format', code: 'DUPLICATE_FORMAT' }));
  });
});

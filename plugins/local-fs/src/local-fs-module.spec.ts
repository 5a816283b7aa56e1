import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { StorageContribution, type StorageBackend, type StorageRegistrar } from '@bioimageit/core';
import localFsModule from './local-fs-module.js';
import { LocalFsOptions } from './local-fs-options.js';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';

function register(container: Container): StorageBackend[] {
  const registered: StorageBackend[] = [];
  const registrar: StorageRegistrar = {
    register(backend) {
      registered.push(backend);
      return { dispose() {} };
    },
  };
  for (const contribution of container.getAll<StorageContribution>(StorageContribution)) contribution.registerStorage(registrar);
  return registered;
}

describe('local-fs container module', () => {
  it('contributes one singleton backend for the file scheme', () => {
    const container = new Container();
    container.load(localFsModule);
    const registered = register(container);
    expect(registered).toHaveLength(1);
    expect(registered[0]?.scheme).toBe('file');
    expect(registered[0]).toBeInstanceOf(LocalFsStorageBackend);
    expect(container.get(LocalFsStorageBackend)).toBe(registered[0]);
  });

  it('takes its options from a LocalFsOptions binding', async () => {
    const container = new Container();
    container.bind(LocalFsOptions).toConstantValue({ lockTimeoutMs: 0, lockStaleMs: 600_000 });
    container.load(localFsModule);
    const [backend] = register(container);
    const other = new LocalFsStorageBackend();
    const location = await mkdtemp(path.join(tmpdir(), 'local-fs-module-'));
    try {
      const store = await other.createExperiment(location, { name: 'exp', author: 'me' });
      const configured = await backend!.openExperiment(store.uri);
      const { acquireLock } = await import('./experiment-lock.js');
      const held = await acquireLock(path.join(location, 'exp', '.bioimageit', 'lock'), { timeoutMs: 1000, staleMs: 600_000 }, 'exp');
      await expect(configured.setTagKeys(['a'])).rejects.toMatchObject({ code: 'LOCKED' });
      await held.release();
      await configured.setTagKeys(['a']);
      expect((await store.info()).keys).toEqual(['a']);
    } finally {
      await rm(location, { recursive: true, force: true });
    }
  });
});

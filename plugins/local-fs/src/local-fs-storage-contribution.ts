import { inject, injectable } from 'inversify';
import type { StorageContribution, StorageRegistrar } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';

/** Registers the local file backend (scheme `file`) into the kernel's storage registry. */
@injectable()
export class LocalFsStorageContribution implements StorageContribution {
  constructor(@inject(LocalFsStorageBackend) private readonly backend: LocalFsStorageBackend) {}

  /** Called once by the kernel on activation; throws PluginError DUPLICATE_CONTRIBUTION when `file` is taken. */
  registerStorage(registry: StorageRegistrar): void {
    registry.register(this.backend);
  }
}

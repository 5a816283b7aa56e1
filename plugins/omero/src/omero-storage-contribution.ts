import { inject, injectable } from 'inversify';
import type { StorageContribution, StorageRegistrar } from '@bioimageit/core';
import { OmeroStorageBackend } from './omero-storage-backend.js';

/** Registers the OMERO backend (scheme `omero`) into the kernel's storage registry. */
@injectable()
export class OmeroStorageContribution implements StorageContribution {
  constructor(@inject(OmeroStorageBackend) private readonly backend: OmeroStorageBackend) {}

  /** Called once by the kernel on activation; throws PluginError DUPLICATE_CONTRIBUTION when `omero` is taken. */
  registerStorage(registry: StorageRegistrar): void {
    registry.register(this.backend);
  }
}

import { ContainerModule } from 'inversify';
import { StorageContribution } from '@bioimageit/core';
import { OmeroStorageBackend } from './omero-storage-backend.js';
import { OmeroStorageContribution } from './omero-storage-contribution.js';

/** The omero plugin's bindings: its backend (one per container) and its storage contribution. */
export default new ContainerModule(({ bind }) => {
  bind(OmeroStorageBackend).toSelf().inSingletonScope();
  bind(StorageContribution).to(OmeroStorageContribution).inSingletonScope();
});

import { ContainerModule } from 'inversify';
import { StorageContribution } from '@bioimageit/core';
import { LocalFsStorageBackend } from './local-fs-storage-backend.js';
import { LocalFsStorageContribution } from './local-fs-storage-contribution.js';

/** The local-fs plugin's bindings: its backend (one per container) and its storage contribution. */
export default new ContainerModule(({ bind }) => {
  bind(LocalFsStorageBackend).toSelf().inSingletonScope();
  bind(StorageContribution).to(LocalFsStorageContribution).inSingletonScope();
});

import { ContainerModule } from 'inversify';
import { KernelConfig, settingsEnvironment, StorageContribution } from '@bioimageit/core';
import { OmeroOptions } from './omero-options.js';
import { OmeroStorageBackend } from './omero-storage-backend.js';
import { OmeroStorageContribution } from './omero-storage-contribution.js';

/** The omero plugin's bindings: its backend (one per container) and its storage contribution. */
export default new ContainerModule(({ bind }) => {
  // Options an embedder bound win; the defaults come from the environment, else the workspace config's `settings`.
  bind(OmeroStorageBackend)
    .toDynamicValue((context) => {
      const options = context.get<OmeroOptions>(OmeroOptions, { optional: true });
      const env = options?.env ?? settingsEnvironment(context.get<KernelConfig>(KernelConfig, { optional: true }));
      return new OmeroStorageBackend({ ...options, env });
    })
    .inSingletonScope();
  bind(StorageContribution).to(OmeroStorageContribution).inSingletonScope();
});

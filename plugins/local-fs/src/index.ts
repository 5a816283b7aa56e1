/**
 * @bioimageit/local-fs — the default storage backend: experiments as folders in the
 * BioImageIT v1 layout. The kernel loads `./module`; these exports serve applications that
 * compose a backend by hand, and tests.
 */
export { LocalFsStorageBackend } from './local-fs-storage-backend.js';
export { LocalFsStorageContribution } from './local-fs-storage-contribution.js';
export { LocalFsExperimentStore } from './local-fs-experiment-store.js';
export { LocalFsOptions } from './local-fs-options.js';
export { default as localFsModule } from './local-fs-module.js';

/**
 * @bioimageit/omero — storage on OMERO servers through OMERO.web (scheme `omero`), and the
 * `bioimageit omero` commands. The kernel loads `./module`; these exports serve applications that
 * compose a backend by hand, the CLI, and tests.
 */
export { OmeroStorageBackend } from './omero-storage-backend.js';
export { OmeroStorageContribution } from './omero-storage-contribution.js';
export { OmeroExperimentStore } from './storage/omero-experiment-store.js';
export { OmeroOptions, resolveOmeroOptions, type ResolvedOmeroOptions } from './omero-options.js';
export { OmeroClient, type OmeroClientOptions, type OmeroCredentials, type EventContext } from './client/omero-client.js';
export { SessionFile, type SavedSession } from './session/session-file.js';
export { NS_CLIENT, NS_EXPERIMENT, NS_DATASET, NS_ITEM, NS_OUTPUT } from './storage/omero-model.js';
export { NO_IMPORT_OVER_WEB } from './storage/omero-importer.js';
export { omeroCommand, type OmeroCommandSetup } from './cli/omero-command.js';
export { default as omeroModule } from './omero-module.js';

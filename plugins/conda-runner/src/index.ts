/** @bioimageit/conda-runner: tools in reproducible, locked, shared conda environments. */
export { CondaRunner, type CondaRunnerOptions } from './conda-runner.js';
export { CondaRunnerContribution } from './conda-runner-contribution.js';
export { CondaRunnerConfig } from './conda-runner-config.js';
export { condaRunnerModuleWith } from './conda-runner-module.js';
export { condaSettings, channelUrl, CONDA_SETTING_VARIABLES, DEFAULT_CHANNEL_ALIAS, type CondaSettings } from './conda-settings.js';
export {
  environmentSpecOf,
  environmentHash,
  condaPlatform,
  type EnvironmentSpec,
  type SolvedEnvironmentSpec,
  type ExistingEnvironmentSpec,
} from './environment-spec.js';
export { parseEnvironmentFile, type EnvironmentFile } from './environment-file.js';
export { readLock, lockLines, type LockedPackage } from './conda-lock.js';
export { listEnvironments, removeEnvironment, type EnvironmentEntry } from './environment-inventory.js';
export { EnvironmentManager, RECORD_DIR, RECORD_FILE, type EnvironmentRecord, type ReadyEnvironment } from './environment-manager.js';
export type { EnvironmentCreator, CreationPaths, CreationReport } from './environment-creator.js';
export { EmbeddedEnvironmentCreator, type EmbeddedCreatorOptions } from './embedded-environment-creator.js';
export { CommandEnvironmentCreator } from './command-environment-creator.js';
export { findCondaCommand, runArgv, CONDA_COMMAND_NAMES, type CondaCommand, type CondaFlavour } from './conda-command.js';
export { stderrProgress, type EnvironmentProgress, type EnvironmentProgressEvent, type EnvironmentPhase } from './environment-progress.js';
export { replacePrefix, LEGACY_PLACEHOLDER, type PrefixFileMode } from './prefix-replacement.js';

import type { CondaSettings } from './conda-settings.js';
import type { EnvironmentProgress } from './environment-progress.js';

/**
 * Configuration of the conda-runner plugin for embedders (a server, a test): bind it in the
 * plugin's container (`condaRunnerModuleWith(config)`) and its fields win over the
 * `BIOIMAGEIT_CONDA_*` variables and the defaults; every field is optional.
 */
export const CondaRunnerConfig = Symbol.for('@bioimageit/conda-runner/CondaRunnerConfig');
export interface CondaRunnerConfig extends Partial<CondaSettings> {
  /** Where environment creation is shown (default: stderr). */
  readonly progress?: EnvironmentProgress;
}

/**
 * @bioimageit/slurm-runner: runs BioImageIT jobs on a SLURM cluster (sbatch, array jobs, squeue
 * polling, scancel), with job ids recorded in each run's provenance.
 */
export { SlurmRunner, resourcesOf, type SlurmRunnerParts } from './slurm-runner.js';
export { SlurmRunnerContribution } from './slurm-runner-contribution.js';
export { SlurmPreflightHooks, SLURM_PLUGIN_ID } from './slurm-preflight-hooks.js';
export {
  DEFAULT_SLURM_SETTINGS,
  SLURM_SETTING_VARIABLES,
  parseSlurmSettings,
  resolveSlurmSettings,
  slurmSettingsFromEnv,
  type SlurmSettings,
} from './slurm-settings.js';
export { SlurmCli, type SlurmCommand, type AccountedJob } from './slurm-cli.js';
export { SlurmMonitor, type QueueListener, type QueueObservation } from './slurm-monitor.js';
export { WorkspaceProbe, waitForJobEnd } from './workspace-probe.js';
export {
  jobScript,
  sbatchOptions,
  taskOutputFiles,
  jobName,
  RUNTIME_VARIABLES,
  SCRIPT_FILE,
  SCRIPT_SETUP_FAILURE,
  type BatchSpec,
  type ScriptTask,
  type TaskResources,
} from './job-script.js';
export { shellQuote } from './shell-quote.js';
export { slurmRunOptions, slurmRunOverrides, type SlurmRunOverrides } from './slurm-run-options.js';
export {
  decodeRawStatus,
  decodeExitPair,
  isTerminalState,
  parseQueueLine,
  QUEUE_FORMAT,
  TERMINAL_STATES,
  type QueueEntry,
  type DecodedExit,
} from './slurm-state.js';

/** The built-in local runner: argv without a shell, clean environment, logs, timeout, cancellation. */
export { LocalRunner, type LocalRunnerOptions } from './local-runner.js';
export { LocalRunnerContribution } from './local-runner-contribution.js';
export { ExecutableResolver, hasPathSeparator } from './resolve-executable.js';
export { baseEnvironment, jobEnvironment, hostVariable, DEFAULT_PATH, type HostEnvironment } from './job-environment.js';
export { JOB_TMP_PREFIX } from './job-temp-dir.js';
export { SpawnHelper, HelperSpawnFailure, type HelperSpawnRequest, type HelperProcess } from './spawn-helper.js';
export { JobLedger, defaultLedgerDir, type LedgerEntry, type ReapedJob } from './job-ledger.js';
export {
  processStartTicks,
  isSameProcessAlive,
  thisProcess,
  processWorkingDirectories,
  isUsedBy,
  liveGroupMembers,
  type ProcessIdentity,
} from './process-identity.js';

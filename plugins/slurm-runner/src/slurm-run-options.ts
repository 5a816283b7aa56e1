import { RunnerError, type RunnerJob, type RunnerOptionSpec, type RunnerOptionsSchema } from '@bioimageit/core';
import type { SlurmSettings } from './slurm-settings.js';

/**
 * What one run asks of SLURM over the runner's settings and the tool's resources (the run's
 * `runnerOptions`, see {@link slurmRunOptions}). Every field is validated text or a whole number
 * (see {@link slurmRunOverrides}): nothing here can end a line of a job script or carry shell syntax.
 */
export interface SlurmRunOverrides {
  readonly partition?: string;
  readonly account?: string;
  readonly qos?: string;
  /** `--time` in SLURM's syntax (`30`, `00:10:00`, `1-12`). */
  readonly time?: string;
  /** `--mem` in SLURM's syntax (`4G`, `500M`; a plain number is MB). */
  readonly mem?: string;
  readonly cpusPerTask?: number;
  /** `--gres` (`gpu:2`, `gpu:a100:1`); `gpus` N becomes `gpu:N`. */
  readonly gres?: string;
}

/** A SLURM name: partition, account, QOS (the same rule as the settings). */
const NAME = '[A-Za-z0-9_.+-]+';
/** SLURM's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
const TIME = '\\d{1,7}(:\\d{1,2}){0,2}|\\d{1,4}-\\d{1,2}(:\\d{1,2}){0,2}';
const MEMORY = '\\d{1,9}[KMGT]?';
const GRES_ONE = '[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_.-]+){0,2}';
const GRES = `${GRES_ONE}(,${GRES_ONE})*`;

const PATTERNS: Readonly<Record<string, RegExp>> = {
  partition: new RegExp(`^(?:${NAME})$`),
  account: new RegExp(`^(?:${NAME})$`),
  qos: new RegExp(`^(?:${NAME})$`),
  time: new RegExp(`^(?:${TIME})$`),
  mem: new RegExp(`^(?:${MEMORY})$`),
  gres: new RegExp(`^(?:${GRES})$`),
};

const withDefault = (spec: RunnerOptionSpec, value: string | undefined): RunnerOptionSpec => (value === undefined ? spec : { ...spec, default: value });

/**
 * The options a run may set for the `slurm` runner, each replacing the setting or the tool's
 * resource it names for that run's jobs: `partition`, `account`, `qos` (defaults: the runner's
 * BIOIMAGEIT_SLURM_* settings), `time`, `mem`, `cpus-per-task`, `gres` and `gpus` (defaults: from
 * the tool's `resources`, else the cluster's own). The settings' extra sbatch arguments still come last.
 */
export function slurmRunOptions(settings: Pick<SlurmSettings, 'partition' | 'account' | 'qos'>): RunnerOptionsSchema {
  return {
    partition: withDefault(
      { type: 'string', pattern: NAME, description: '--partition of the jobs (default: BIOIMAGEIT_SLURM_PARTITION, else the cluster default)' },
      settings.partition,
    ),
    account: withDefault(
      { type: 'string', pattern: NAME, description: '--account charged for the jobs (default: BIOIMAGEIT_SLURM_ACCOUNT)' },
      settings.account,
    ),
    qos: withDefault({ type: 'string', pattern: NAME, description: '--qos of the jobs (default: BIOIMAGEIT_SLURM_QOS)' }, settings.qos),
    time: {
      type: 'string',
      pattern: TIME,
      description: "--time limit of each job: minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]] (default: the tool's timeout plus a minute, else the partition's)",
    },
    mem: { type: 'string', pattern: MEMORY, description: "--mem of each job: 4G, 500M, or MB (default: the tool's resources.memoryMb)" },
    'cpus-per-task': { type: 'integer', minimum: 1, maximum: 100_000, description: "--cpus-per-task (default: the tool's resources.cpus)" },
    gres: { type: 'string', pattern: GRES, description: "--gres of each job, e.g. gpu:a100:1 (default: gpu:N from the tool's resources.gpus)" },
    gpus: { type: 'integer', minimum: 0, maximum: 1024, description: 'GPUs per job, as --gres=gpu:N; 0: none (ignored when gres is set)' },
  };
}

/**
 * The overrides of a job's `runnerOptions` ({@link slurmRunOptions}), checked again here (the job
 * engine checks them first; a caller handing jobs straight to the runner may not have): a value
 * that is not what the option takes rejects with RunnerError UNAVAILABLE naming the job and the
 * option, so no text that could break out of a job script line ever reaches sbatch.
 */
export function slurmRunOverrides(job: RunnerJob): SlurmRunOverrides {
  const given = job.runnerOptions ?? {};
  const refuse = (option: string, why: string): never => {
    throw new RunnerError('UNAVAILABLE', `job '${job.id}': slurm option '${option}' ${why}`, { details: { jobId: job.id, option } });
  };
  const known = Object.keys(slurmRunOptions({}));
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(given)) {
    if (!known.includes(name)) refuse(name, `is not an option of the slurm runner (${known.join(', ')})`);
    const pattern = PATTERNS[name];
    if (pattern !== undefined) {
      if (typeof value !== 'string' || !pattern.test(value)) refuse(name, `must match ${pattern.source}, not ${JSON.stringify(value)}`);
      out[name] = value as string;
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      refuse(name, `must be a whole number, not ${JSON.stringify(value)}`);
    } else if (name === 'cpus-per-task') {
      if (value < 1) refuse(name, 'must be at least 1');
      out['cpusPerTask'] = value;
    }
  }
  const gpus = given['gpus'];
  if (out['gres'] === undefined && typeof gpus === 'number' && gpus > 0) out['gres'] = `gpu:${gpus}`;
  if (out['gres'] === undefined && gpus === 0) out['gres'] = '';
  return out as SlurmRunOverrides;
}

import { RunnerError, type RunnerOptionValue, type RunnerOptionsSchema } from '@bioimageit/core';
import { PULL_POLICIES, type PullPolicy } from './image-provisioner.js';

/** What one run asks of its containers over the runner's settings and the tool's resources (its `runnerOptions`). */
export interface DockerRunOverrides {
  readonly pullPolicy?: PullPolicy;
  /** Memory limit in bytes (`HostConfig.Memory`, no extra swap). */
  readonly memoryBytes?: number;
  /** CPUs (`HostConfig.NanoCpus` / 1e9). */
  readonly cpus?: number;
  /** GPUs requested from the daemon; 0: none. */
  readonly gpus?: number;
}

const MEMORY = '\\d{1,12}[KMGT]?';
const UNIT: Readonly<Record<string, number>> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * The options a run may set for the `docker` runner: `pull` (default: the configured policy,
 * BIOIMAGEIT_DOCKER_PULL), and `memory`, `cpus`, `gpus`, each replacing the limit the tool's
 * `resources` give its containers for that run.
 */
export function dockerRunOptions(pullPolicy: PullPolicy): RunnerOptionsSchema {
  return {
    pull: {
      type: 'string',
      enum: [...PULL_POLICIES],
      default: pullPolicy,
      description: 'missing: pull absent images; never: fail when the daemon lacks the image',
    },
    memory: { type: 'string', pattern: MEMORY, description: "memory limit of each container: 4G, 500M, or MB (default: the tool's resources.memoryMb)" },
    cpus: { type: 'number', minimum: 0.01, maximum: 4096, description: "CPUs of each container, fractions allowed (default: the tool's resources.cpus)" },
    gpus: { type: 'integer', minimum: 0, maximum: 1024, description: "GPUs given to each container; 0: none (default: the tool's resources.gpus)" },
  };
}

/**
 * The overrides of a job's `runnerOptions` ({@link dockerRunOptions}), checked again here (the
 * job engine checks them first): a value the option does not take rejects with RunnerError
 * UNAVAILABLE naming the job and the option.
 */
export function dockerRunOverrides(jobId: string, options: Readonly<Record<string, RunnerOptionValue>> | undefined): DockerRunOverrides {
  const refuse = (option: string, why: string): never => {
    throw new RunnerError('UNAVAILABLE', `job '${jobId}': docker option '${option}' ${why}`, { details: { jobId, option } });
  };
  const out: { pullPolicy?: PullPolicy; memoryBytes?: number; cpus?: number; gpus?: number } = {};
  for (const [name, value] of Object.entries(options ?? {})) {
    switch (name) {
      case 'pull':
        if (!PULL_POLICIES.includes(value as PullPolicy)) refuse(name, `must be one of ${PULL_POLICIES.join(', ')}, not ${JSON.stringify(value)}`);
        out.pullPolicy = value as PullPolicy;
        break;
      case 'memory': {
        const match = typeof value === 'string' ? new RegExp(`^(\\d{1,12})([KMGT]?)$`).exec(value) : null;
        if (match === null) return refuse(name, `must be a size such as 4G, 500M or a number of MB, not ${JSON.stringify(value)}`);
        const bytes = Number(match[1]) * (UNIT[match[2] === '' ? 'M' : (match[2] as string)] as number);
        if (bytes < 6 * 1024 ** 2) refuse(name, 'must be at least 6M (the smallest limit Docker accepts)');
        out.memoryBytes = bytes;
        break;
      }
      case 'cpus':
        if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) refuse(name, `must be a positive number, not ${JSON.stringify(value)}`);
        out.cpus = value as number;
        break;
      case 'gpus':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) refuse(name, `must be a whole number, not ${JSON.stringify(value)}`);
        out.gpus = value as number;
        break;
      default:
        refuse(name, `is not an option of the docker runner (${Object.keys(dockerRunOptions('missing')).join(', ')})`);
    }
  }
  return out;
}

import type { Disposable } from '../util/disposable.js';

/** One process to execute: argv (never a shell line), environment, working directory. */
export interface RunnerJob {
  readonly id: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly stdoutPath: string;
  readonly stderrPath: string;
  readonly timeoutMs?: number;
}

export interface RunnerResult {
  readonly exitCode: number | null;
  readonly signal?: string;
  /** Facts for provenance (image digest, conda lock, host...). */
  readonly environment: Readonly<Record<string, unknown>>;
}

/**
 * Runner extension point, keyed by runner id (`local`, `docker`, `conda`, `slurm`, `native`).
 * The job engine (tools/runs work) hands jobs to runners; a runner executes one job and reports
 * its exit status. Errors: RunnerError (`UNAVAILABLE`, `TIMEOUT`, `CANCELLED`).
 */
export const Runner = Symbol.for('@bioimageit/core/Runner');
export interface Runner {
  readonly id: string;
  run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult>;
}

export const RunnerContribution = Symbol.for('@bioimageit/core/RunnerContribution');
export interface RunnerContribution {
  registerRunners(registry: RunnerRegistrar): void;
}
export interface RunnerRegistrar {
  register(runner: Runner): Disposable;
}

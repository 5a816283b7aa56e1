import { RunnerError, type RunnerErrorCode, type RunnerJob, type RunnerResult } from '@bioimageit/core';
import type { TaskResources } from './job-script.js';
import type { SlurmRunOverrides } from './slurm-run-options.js';
import type { SubmittedTask } from './slurm-submitter.js';
import { decodeRawStatus, type DecodedExit } from './slurm-state.js';
import type { TaskEnding } from './task-watch.js';

/** Facts of the submitting side recorded with every job. */
export interface SubmitFacts {
  readonly host: string;
  readonly user: string | undefined;
  /** What the job asked for: the tool's resources, and the run's own values where it set them. */
  readonly resources: TaskResources & SlurmRunOverrides;
  /** True when the job script is kept (its path is then recorded). */
  readonly keepScripts: boolean;
  /** The end of what the job wrote to stderr, where slurmstepd explains kills (memory limits). */
  readonly stderrTail?: string;
}

/** slurmstepd's words for a job killed over its memory limit (accounting poll or cgroup OOM killer). */
const MEMORY_KILL = /^slurmstepd[^:\n]*: error: ([^\n]*(?:exceeded (?:job |step )?memory limit|oom-kill event)[^\n]*)$/im;

/** The line in which slurmstepd says it killed the job for memory, if it did. */
export function memoryKillMessage(stderrTail: string | undefined): string | undefined {
  return stderrTail === undefined ? undefined : MEMORY_KILL.exec(stderrTail)?.[1]?.trim();
}

/** SLURM's way of saying "no value" in squeue columns. */
const NO_VALUE = new Set(['', 'N/A', 'Unknown', '(null)', 'None']);

const present = (value: string | undefined): value is string => value !== undefined && !NO_VALUE.has(value);

/** Provenance of one job: SLURM ids, where and when it ran, what it asked for. Plain JSON. */
export function slurmEnvironment(submitted: SubmittedTask, ending: TaskEnding, facts: SubmitFacts): Record<string, unknown> {
  const entry = ending.entry;
  const endedAt = new Date();
  return {
    runner: 'slurm',
    slurmJobId: submitted.key,
    ...(submitted.arrayIndex !== undefined && { arrayJobId: submitted.jobId, arrayTaskId: submitted.arrayIndex, arraySize: submitted.arraySize }),
    state: entry?.state ?? ending.accounted?.state ?? 'UNKNOWN',
    ...(present(entry?.reason) && { reason: entry.reason }),
    ...(present(entry?.nodes) && { node: entry.nodes }),
    ...(present(entry?.partition) && { partition: entry.partition }),
    ...(present(entry?.account) && { account: entry.account }),
    ...(present(entry?.startTime) && { slurmStartTime: entry.startTime }),
    ...(present(entry?.endTime) && { slurmEndTime: entry.endTime }),
    requested: { ...facts.resources },
    submitHost: facts.host,
    ...(facts.user !== undefined && { user: facts.user }),
    submittedAt: submitted.submittedAt.toISOString(),
    ...(ending.runningSince !== undefined && { runningSeenAt: ending.runningSince.toISOString() }),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - submitted.submittedAt.getTime(),
    ...(facts.keepScripts && { script: submitted.script }),
  };
}

/** States in which SLURM, not the tool, ended the job; each gets its own explanation. */
const SCHEDULER_ENDINGS: Readonly<Record<string, { readonly code: RunnerErrorCode; readonly why: string }>> = {
  TIMEOUT: { code: 'TIMEOUT', why: 'reached its SLURM time limit and was killed' },
  CANCELLED: { code: 'CANCELLED', why: 'was cancelled outside BioImageIT (scancel by a user or an administrator)' },
  NODE_FAIL: { code: 'UNAVAILABLE', why: 'was lost because its node failed' },
  BOOT_FAIL: { code: 'UNAVAILABLE', why: 'could not start because its node failed to boot' },
  PREEMPTED: { code: 'UNAVAILABLE', why: 'was preempted by a higher-priority job' },
  DEADLINE: { code: 'UNAVAILABLE', why: 'missed its deadline' },
  REVOKED: { code: 'UNAVAILABLE', why: 'was revoked (federation)' },
  SPECIAL_EXIT: { code: 'UNAVAILABLE', why: 'ended in SPECIAL_EXIT and was held' },
};

/**
 * Turns how a task ended into the job's result: COMPLETED and FAILED resolve with the tool's exit
 * code (or the signal that killed it); a stop the runner made rejects TIMEOUT or CANCELLED; a kill
 * for memory (state OUT_OF_MEMORY, or slurmstepd's "exceeded memory limit" / "oom-kill" line in
 * the job's stderr) rejects NON_ZERO_EXIT saying so; another ending SLURM imposed rejects with a
 * message naming the SLURM job, its state and reason.
 */
export function taskOutcome(job: RunnerJob, submitted: SubmittedTask, ending: TaskEnding, facts: SubmitFacts): RunnerResult {
  const environment = slurmEnvironment(submitted, ending, facts);
  const exit: DecodedExit | undefined = ending.entry !== undefined ? decodeRawStatus(ending.entry.rawStatus) : ending.accounted?.exit;
  const state = ending.entry?.state ?? ending.accounted?.state;
  const details = {
    jobId: job.id,
    slurmJobId: submitted.key,
    state,
    exitCode: exit?.exitCode ?? null,
    ...(exit?.signal !== undefined && { signal: exit.signal }),
    environment,
  };
  const named = `job '${job.id}' (SLURM job ${submitted.key})`;
  if (ending.error !== undefined) {
    const why = ending.error instanceof Error ? ending.error.message : String(ending.error);
    throw new RunnerError('UNAVAILABLE', `${named}: lost track of the job, squeue keeps failing: ${why}`, { cause: ending.error, details });
  }
  if (ending.stopped === 'timeout')
    throw new RunnerError('TIMEOUT', `${named} exceeded its time limit of ${job.timeoutMs} ms and was cancelled`, {
      details: { ...details, timeoutMs: job.timeoutMs },
    });
  if (ending.stopped === 'cancel')
    throw new RunnerError('CANCELLED', `job '${job.id}' was cancelled (scancel ${submitted.key})`, { details: { ...details, started: true } });
  if (state === undefined || exit === undefined) {
    throw new RunnerError('UNAVAILABLE', `${named}: its result is unknown: the controller no longer lists it and accounting (sacct) has no record of it`, {
      details,
    });
  }
  const memory = state === 'COMPLETED' ? undefined : memoryKillMessage(facts.stderrTail);
  if (memory !== undefined || state === 'OUT_OF_MEMORY') {
    const said = memory === undefined ? '' : `: ${memory}`;
    throw new RunnerError('NON_ZERO_EXIT', `${named} ran out of memory (it used more than the --mem SLURM granted) and was killed${said}`, {
      details: { ...details, memoryExceeded: true },
    });
  }
  if (state === 'COMPLETED' || state === 'FAILED') {
    return exit.signal === undefined ? { exitCode: exit.exitCode, environment } : { exitCode: null, signal: exit.signal, environment };
  }
  const known = SCHEDULER_ENDINGS[state];
  const reason = ending.entry !== undefined && present(ending.entry.reason) ? ` (${ending.entry.reason})` : '';
  throw new RunnerError(known?.code ?? 'UNAVAILABLE', `${named} ${known?.why ?? `ended in state ${state}`}${reason}`, { details });
}

import { describe, expect, it } from 'vitest';
import { RunnerError, type RunnerJob } from '@bioimageit/core';
import type { SubmittedTask } from './slurm-submitter.js';
import type { QueueEntry } from './slurm-state.js';
import { taskOutcome, type SubmitFacts } from './task-outcome.js';
import type { TaskEnding } from './task-watch.js';

const job = { id: 'j-1', argv: ['true'], env: {}, cwd: '/w/j-1', stdoutPath: '/w/o', stderrPath: '/w/e', timeoutMs: 300 } as RunnerJob;
const submitted: SubmittedTask = {
  key: '41_2',
  jobId: '41',
  arrayIndex: 2,
  arraySize: 5,
  outputs: { stdout: '/w/.b/2.out', stderr: '/w/.b/2.err' },
  script: '/w/.b/job.sh',
  submittedAt: new Date('2026-01-01T00:00:00Z'),
  release: async () => undefined,
};
const facts: SubmitFacts = { host: 'login1', user: 'ana', resources: { cpus: 2 }, keepScripts: false };
const ended = (state: string, rawStatus = 0, reason = 'None'): TaskEnding => ({
  entry: {
    key: '41_2',
    state,
    rawStatus,
    nodes: 'node7',
    partition: 'cpu',
    account: 'lab',
    startTime: '2026-01-01T00:00:05',
    endTime: '2026-01-01T00:00:09',
    reason,
  } satisfies QueueEntry,
});
const rejection = (ending: TaskEnding): RunnerError => {
  try {
    taskOutcome(job, submitted, ending, facts);
  } catch (error) {
    return error as RunnerError;
  }
  throw new Error('resolved');
};

describe('taskOutcome', () => {
  it('resolves exit codes and signals of jobs that ran to their end, with SLURM provenance', () => {
    const ok = taskOutcome(job, submitted, ended('COMPLETED'), facts);
    expect(ok.exitCode).toBe(0);
    expect(ok.environment).toMatchObject({
      runner: 'slurm',
      slurmJobId: '41_2',
      arrayJobId: '41',
      arrayTaskId: 2,
      arraySize: 5,
      state: 'COMPLETED',
      node: 'node7',
      partition: 'cpu',
      account: 'lab',
      slurmStartTime: '2026-01-01T00:00:05',
      requested: { cpus: 2 },
      submitHost: 'login1',
      user: 'ana',
    });
    expect(ok.environment['reason']).toBeUndefined();
    expect(JSON.parse(JSON.stringify(ok.environment))).toEqual(ok.environment);
    expect(taskOutcome(job, submitted, ended('FAILED', 3 << 8), facts).exitCode).toBe(3);
    expect(taskOutcome(job, submitted, ended('FAILED', 9), facts)).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(taskOutcome(job, submitted, { accounted: { state: 'FAILED', exit: { exitCode: 2 } } }, facts).exitCode).toBe(2);
  });

  it("rejects the runner's own stops as TIMEOUT and CANCELLED naming the job", () => {
    const timeout = rejection({ ...ended('CANCELLED', 15), stopped: 'timeout' });
    expect(timeout.code).toBe('TIMEOUT');
    expect(timeout.message).toBe("job 'j-1' (SLURM job 41_2) exceeded its time limit of 300 ms and was cancelled");
    const cancel = rejection({ ...ended('CANCELLED', 15), stopped: 'cancel' });
    expect(cancel.code).toBe('CANCELLED');
    expect(cancel.details['environment']).toMatchObject({ slurmJobId: '41_2' });
  });

  it("explains endings SLURM imposed: memory, time limit, someone else's scancel, node failure", () => {
    const oom = rejection(ended('OUT_OF_MEMORY', 9, 'OutOfMemory'));
    expect([oom.code, oom.message]).toEqual([
      'NON_ZERO_EXIT',
      "job 'j-1' (SLURM job 41_2) ran out of memory (it used more than the --mem SLURM granted) and was killed",
    ]);
    expect(oom.details).toMatchObject({ exitCode: null, signal: 'SIGKILL', state: 'OUT_OF_MEMORY', memoryExceeded: true });
    const stderrTail =
      'reading...\nslurmstepd-node7: error: StepId=41.batch exceeded memory limit (430206976 > 67108864), being killed\nslurmstepd-node7: error: *** JOB 41 ON node7 CANCELLED ***\n';
    const polled = (() => {
      try {
        taskOutcome(job, submitted, ended('FAILED', 9, 'JobLaunchFailure'), { ...facts, stderrTail });
      } catch (error) {
        return error as RunnerError;
      }
      throw new Error('resolved');
    })();
    expect(polled.message).toBe(
      "job 'j-1' (SLURM job 41_2) ran out of memory (it used more than the --mem SLURM granted) and was killed: StepId=41.batch exceeded memory limit (430206976 > 67108864), being killed",
    );
    const toolSaidIt = taskOutcome(job, submitted, ended('FAILED', 1 << 8), { ...facts, stderrTail: 'my tool: error: exceeded memory limit of its cache\n' });
    expect(toolSaidIt.exitCode).toBe(1);
    expect(rejection(ended('TIMEOUT', 15)).code).toBe('TIMEOUT');
    expect(rejection(ended('CANCELLED', 15)).message).toContain('cancelled outside BioImageIT');
    expect(rejection(ended('NODE_FAIL')).code).toBe('UNAVAILABLE');
    expect(rejection(ended('SOMETHING_NEW')).message).toContain('ended in state SOMETHING_NEW');
  });

  it('says so when the result is lost or squeue kept failing', () => {
    expect(rejection({}).message).toMatch(/result is unknown: the controller no longer lists it and accounting \(sacct\) has no record/);
    const lost = rejection({ error: new Error('Unable to contact slurm controller') });
    expect([lost.code, lost.message]).toEqual([
      'UNAVAILABLE',
      "job 'j-1' (SLURM job 41_2): lost track of the job, squeue keeps failing: Unable to contact slurm controller",
    ]);
  });
});

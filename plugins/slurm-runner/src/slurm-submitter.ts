import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { jobScript, sbatchOptions, SCRIPT_FILE, taskOutputFiles, type ScriptTask, type TaskResources } from './job-script.js';
import { ownerComment } from './orphan-jobs.js';
import type { SlurmCli } from './slurm-cli.js';
import type { SlurmMonitor } from './slurm-monitor.js';
import type { SlurmRunOverrides } from './slurm-run-options.js';
import type { SlurmSettings } from './slurm-settings.js';
import { SubmissionBatcher } from './submission-batcher.js';

/** A submitted job or array task: its SLURM ids and where SLURM writes its output. */
export interface SubmittedTask {
  /** `12345` (plain job) or `12345_7` (array task): what squeue prints and scancel takes. */
  readonly key: string;
  readonly jobId: string;
  /** Index in the array job; absent for a plain job. */
  readonly arrayIndex?: number;
  /** Tasks of its array job (1 for a plain job). */
  readonly arraySize: number;
  readonly outputs: { readonly stdout: string; readonly stderr: string };
  readonly script: string;
  readonly submittedAt: Date;
  /** To call once the task ended and its output was read: the batch folder goes when all its tasks did. */
  readonly release: () => Promise<void>;
}

/** One job waiting to be submitted. */
export interface TaskRequest {
  /** The job's id in BioImageIT (named in errors). */
  readonly jobId: string;
  /** Jobs sharing a group key may share one array job (same run, same resources). */
  readonly groupKey: string;
  /** Tool id, for the SLURM job name. */
  readonly name: string;
  readonly task: ScriptTask;
  readonly resources: TaskResources;
  /** The run's own sbatch values (its `runnerOptions`); part of the group key, so one array job has one set. */
  readonly overrides?: SlurmRunOverrides;
  /** Where the batch folder goes (the staging root, shared with the cluster). */
  readonly folder: string;
}

interface Waiting {
  readonly request: TaskRequest;
  readonly resolve: (task: SubmittedTask) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Turns job requests into sbatch submissions. With `array` on, requests of one group arriving
 * together become one array job (see SubmissionBatcher); otherwise each is its own job. Each
 * submission gets a batch folder `.bioimageit-slurm-*` next to the jobs' staging folders holding
 * the job script (`job.sh`, readable, resubmittable by hand) and SLURM's output files; the folder
 * is removed once every task of it was released, unless `keepScripts`.
 */
export class SlurmSubmitter {
  private readonly batcher: SubmissionBatcher<Waiting>;
  /** This process as the `--comment` of its submissions (read once: it never changes). */
  private readonly owner = ownerComment();

  constructor(
    private readonly cli: Pick<SlurmCli, 'submit'>,
    private readonly monitor: Pick<SlurmMonitor, 'soon'>,
    private readonly settings: SlurmSettings,
  ) {
    this.batcher = new SubmissionBatcher((batch) => void this.submit(batch), settings);
  }

  /**
   * Submits `request` (alone or in an array job); resolves once SLURM accepted it. Rejects with
   * RunnerError CANCELLED when `signal` aborts before the submission left, UNAVAILABLE when sbatch
   * refused it (SLURM's message included).
   */
  enqueue(request: TaskRequest, signal: AbortSignal): Promise<SubmittedTask> {
    return new Promise<SubmittedTask>((resolve, reject) => {
      const waiting: Waiting = { request, resolve, reject };
      if (!this.settings.array) {
        void this.submit([waiting]);
        return;
      }
      const onAbort = (): void => {
        if (this.batcher.remove(waiting)) {
          reject(
            new RunnerError('CANCELLED', `job '${request.jobId}' was cancelled before it was submitted to SLURM`, {
              details: { jobId: request.jobId, started: false },
            }),
          );
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const settle =
        <T>(fn: (value: T) => void) =>
        (value: T): void => {
          signal.removeEventListener('abort', onAbort);
          fn(value);
        };
      Object.assign(waiting, { resolve: settle(resolve), reject: settle(reject) });
      this.batcher.add(request.groupKey, waiting);
    });
  }

  private async submit(batch: readonly Waiting[]): Promise<void> {
    const first = batch[0]?.request as TaskRequest;
    let dir: string | undefined;
    try {
      dir = await mkdtemp(path.join(first.folder, '.bioimageit-slurm-'));
      const array = batch.length > 1;
      const spec = {
        name: first.name,
        dir,
        tasks: batch.map((w) => w.request.task),
        array,
        resources: first.resources,
        ...(first.overrides !== undefined && { overrides: first.overrides }),
        settings: this.settings,
        owner: this.owner,
      };
      const script = path.join(dir, SCRIPT_FILE);
      await writeFile(script, jobScript(spec));
      await chmod(script, 0o755);
      const jobId = await this.cli.submit(script, sbatchOptions(spec));
      const submittedAt = new Date();
      let remaining = batch.length;
      const folder = dir;
      const release = async (): Promise<void> => {
        if (--remaining === 0 && !this.settings.keepScripts) await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      };
      this.monitor.soon();
      batch.forEach((w, i) => {
        w.resolve({
          key: array ? `${jobId}_${i}` : jobId,
          jobId,
          ...(array && { arrayIndex: i }),
          arraySize: batch.length,
          outputs: taskOutputFiles(folder, array ? i : undefined),
          script,
          submittedAt,
          release,
        });
      });
    } catch (error) {
      if (dir !== undefined && !this.settings.keepScripts) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      const why = error instanceof Error ? error.message : String(error);
      for (const w of batch) {
        w.reject(
          new RunnerError('UNAVAILABLE', `job '${w.request.jobId}' could not be submitted to SLURM: ${why}`, {
            cause: error,
            details: { jobId: w.request.jobId, batchSize: batch.length },
          }),
        );
      }
    }
  }
}

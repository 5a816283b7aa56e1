import { appendFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  baseEnvironment,
  JOB_TMP_PREFIX,
  jobEnvironment,
  RunnerError,
  type HostEnvironment,
  type Runner,
  type RunnerJob,
  type RunnerOptionsSchema,
  type RunnerResult,
} from '@bioimageit/core';
import { CancelQueue } from './cancel-queue.js';
import { orphanedJobs, processAlive } from './orphan-jobs.js';
import type { TaskResources } from './job-script.js';
import { SlurmCli } from './slurm-cli.js';
import { SlurmMonitor } from './slurm-monitor.js';
import { slurmRunOptions, slurmRunOverrides, type SlurmRunOverrides } from './slurm-run-options.js';
import type { SlurmSettings } from './slurm-settings.js';
import { SlurmSubmitter, type SubmittedTask } from './slurm-submitter.js';
import { taskOutcome } from './task-outcome.js';
import { TaskLogForwarder } from './task-log-forwarder.js';
import { watchTask } from './task-watch.js';
import { WorkspaceProbe } from './workspace-probe.js';

/** What a {@link SlurmRunner} is built from; only `settings` is required. */
export interface SlurmRunnerParts {
  readonly settings: SlurmSettings;
  /** The workspace folder: probed once for the whole of it (see WorkspaceProbe). */
  readonly workspace?: string;
  /** Where PATH, HOME, USER and `passEnv` variables are read from (default `process.env`). */
  readonly hostEnv?: HostEnvironment;
  /** Environment of the SLURM commands (default `process.env`: SLURM_CONF and site variables). */
  readonly commandEnv?: NodeJS.ProcessEnv;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const cancelled = (job: RunnerJob, details: Record<string, unknown>): RunnerError =>
  new RunnerError('CANCELLED', `job '${job.id}' was cancelled`, { details: { jobId: job.id, ...details } });

/**
 * The SLURM runner (id `slurm`): each job becomes a task of an sbatch submission on the cluster.
 *
 * - Jobs of one run (`runId`) that arrive together, with the same resources, are submitted as one
 *   array job (setting `array`, default on); other jobs, or all with `array: false`, one sbatch each.
 * - The job script lives in a `.bioimageit-slurm-*` folder next to the job's staging folder (the
 *   workspace, which the cluster must share); it enters the job's folder and starts the tool with
 *   `env -i` in a process group of its own: argv literal (single-quoted, see shellQuote),
 *   environment = PATH, HOME, LANG, USER, TMPDIR, `passEnv`, the job's `env` and SLURM's job facts
 *   (RUNTIME_VARIABLES), nothing else; what the tool leaves running when it exits is killed.
 *   sbatch runs with only SLURM-related variables, so the caller's environment (tokens...) never
 *   reaches the controller.
 * - Resources come from the tool manifest (`--cpus-per-task`, `--mem`, `--gres=gpu:N`, `--time`
 *   as a backstop), partition/account/QOS/extra options from the settings, each replaced by the
 *   run's own value where its `runnerOptions` set one (see slurmRunOptions); `--comment` names the
 *   submitting host and pid, and jobs whose submitter on this host died are cancelled before the
 *   runner's first submission (sweepOrphans).
 * - One squeue call per poll watches every job (SlurmMonitor); output files are copied into the
 *   job's log files (live when someone listens to `onOutput`).
 * - `timeoutMs` (counted from the first poll seeing the job RUNNING) and an aborted signal send
 *   SIGTERM to the job shell (which signals the tool's whole process group), scancel after
 *   `killGraceMs`, SIGKILL after another; TIMEOUT/CANCELLED reject once SLURM reports the job
 *   ended. Exit codes resolve; SLURM's own endings (time limit, out of memory, node failure,
 *   cancelled by someone else) reject with a RunnerError saying so.
 * - Before its first job in a folder the runner checks with a probe job that the folder (the whole
 *   workspace, when inside it) and the inputs are visible to jobs (setting `checkWorkspace`).
 * - `environment` records the SLURM job id (`12345_7`), array job id and task index, state, node,
 *   partition, account, SLURM's start and end times, submit host and user: the run's provenance.
 */
export class SlurmRunner implements Runner {
  readonly id = 'slurm';
  readonly settings: SlurmSettings;
  /** What a run may set per run (`--runner-option partition=gpu`): see slurmRunOptions. */
  readonly runOptions: RunnerOptionsSchema;
  readonly cli: SlurmCli;
  readonly monitor: SlurmMonitor;
  readonly probe: WorkspaceProbe;
  private readonly submitter: SlurmSubmitter;
  private readonly cancels: CancelQueue;
  private readonly host: HostEnvironment;
  private readonly base: Readonly<Record<string, string>>;
  private swept?: Promise<void>;

  constructor(parts: SlurmRunnerParts) {
    const { settings } = parts;
    this.cli = new SlurmCli(settings, parts.commandEnv ?? process.env);
    this.monitor = new SlurmMonitor(this.cli, settings);
    this.probe = new WorkspaceProbe(this.cli, this.monitor, settings, parts.workspace);
    this.submitter = new SlurmSubmitter(this.cli, this.monitor, settings);
    this.cancels = new CancelQueue(this.cli);
    this.host = parts.hostEnv ?? process.env;
    this.base = Object.freeze(baseEnvironment(this.host));
    this.settings = settings;
    this.runOptions = slurmRunOptions(settings);
  }

  /**
   * Once per runner, before its first submission: cancels the jobs that BioImageIT processes of
   * this host submitted and left on the cluster when they died (`kill -9`), as their `--comment`
   * tells (see orphanedJobs); their runs are finished with `--resume`. Never fails a run: when
   * squeue or scancel cannot do it, the reason goes to stderr and the jobs stay.
   */
  sweepOrphans(): Promise<void> {
    this.swept ??= (async () => {
      const orphans = orphanedJobs(await this.cli.ownJobs(), os.hostname(), processAlive);
      if (orphans.length === 0) return;
      await this.cli.cancel(orphans, 'cancel');
      process.stderr.write(
        `slurm: cancelled ${orphans.length} job(s) left on the cluster by BioImageIT processes of this host that died: ${orphans.join(', ')}\n`,
      );
    })().catch((error: unknown) => {
      process.stderr.write(`slurm: could not look for jobs left by BioImageIT processes that died: ${(error as Error).message}\n`);
    });
    return this.swept;
  }

  /** Jobs handed over at once when a run names no `--jobs`: `defaultJobs` (a run's jobs queue together). */
  get defaultConcurrency(): number {
    return this.settings.defaultJobs;
  }

  /** Runs one job on the cluster; see the class documentation for what resolves and what rejects. */
  async run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    if (signal.aborted) throw cancelled(job, { started: false });
    const overrides = slurmRunOverrides(job);
    await this.validate(job);
    await Promise.all([appendFile(job.stdoutPath, ''), appendFile(job.stderrPath, '')]).catch((error: unknown) => {
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': cannot open its log files: ${(error as Error).message}`, {
        cause: error,
        details: { jobId: job.id, stdoutPath: job.stdoutPath, stderrPath: job.stderrPath },
      });
    });
    if (this.settings.checkWorkspace) {
      await abortable(this.probe.ensureVisible(path.dirname(path.resolve(job.cwd)), job.inputPaths ?? []), signal, () =>
        cancelled(job, { started: false }),
      ).catch((error: unknown) => {
        if (!(error instanceof RunnerError) || error.code === 'CANCELLED') throw error;
        throw new RunnerError(error.code, `job '${job.id}': ${error.message}`, { cause: error, details: { jobId: job.id, ...error.details } });
      });
    }
    await this.sweepOrphans();
    const tmp = await this.tempDir(job);
    const cwd = path.resolve(job.cwd);
    try {
      const submitted = await this.submitter.enqueue(
        {
          jobId: job.id,
          groupKey: `${job.runId ?? `job:${job.id}`}|${path.dirname(cwd)}|${JSON.stringify(resourcesOf(job))}|${JSON.stringify(overrides)}`,
          name: job.tool?.id ?? 'job',
          task: { cwd, argv: job.argv, env: jobEnvironment(this.base, this.host, job, path.resolve(tmp.path)) },
          resources: resourcesOf(job),
          overrides,
          folder: path.dirname(cwd),
        },
        signal,
      );
      return await this.follow(job, submitted, signal, overrides);
    } finally {
      await tmp.release();
    }
  }

  private async follow(job: RunnerJob, submitted: SubmittedTask, signal: AbortSignal, overrides: SlurmRunOverrides): Promise<RunnerResult> {
    let logs: TaskLogForwarder | undefined;
    try {
      logs = await TaskLogForwarder.open(submitted.outputs, job, job.onOutput).catch((error: unknown) => {
        this.cancels.cancel(submitted.key, 'cancel');
        throw new RunnerError('UNAVAILABLE', `job '${job.id}': cannot open its log files, SLURM job ${submitted.key} cancelled: ${(error as Error).message}`, {
          cause: error,
          details: { jobId: job.id, slurmJobId: submitted.key, stdoutPath: job.stdoutPath, stderrPath: job.stderrPath },
        });
      });
      const forwarder = logs;
      const ending = await watchTask({
        key: submitted.key,
        monitor: this.monitor,
        cancels: this.cancels,
        cli: this.cli,
        signal,
        ...(job.timeoutMs !== undefined && { timeoutMs: job.timeoutMs }),
        killGraceMs: this.settings.killGraceMs,
        ...(job.onOutput !== undefined && { onRunning: () => void forwarder.pump().catch(() => undefined) }),
      });
      await logs.close();
      const stderrTail = logs.stderrTail;
      logs = undefined;
      return taskOutcome(job, submitted, ending, {
        host: os.hostname(),
        user: this.base['USER'],
        resources: { ...resourcesOf(job), ...overrides },
        keepScripts: this.settings.keepScripts,
        stderrTail,
      });
    } catch (error) {
      if (logs !== undefined) await logs.close().catch(() => undefined);
      if (error instanceof RunnerError) throw error;
      throw new RunnerError('UNAVAILABLE', `job '${job.id}' (SLURM job ${submitted.key}): ${(error as Error).message}`, {
        cause: error,
        details: { jobId: job.id, slurmJobId: submitted.key },
      });
    } finally {
      await submitted.release();
    }
  }

  /** Rejects, before anything is submitted, what no job script can run. */
  private async validate(job: RunnerJob): Promise<void> {
    const command = job.argv[0];
    if (command === undefined || command === '')
      throw new RunnerError('UNAVAILABLE', `job '${job.id}' has no command (empty argv)`, { details: { jobId: job.id } });
    if (command.includes('='))
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': a command name cannot contain '=' ('${command}')`, { details: { jobId: job.id, command } });
    const badName = Object.keys(job.env).find((name) => !VARIABLE_NAME.test(name));
    if (badName !== undefined)
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': '${badName}' is not a valid environment variable name`, {
        details: { jobId: job.id, variable: badName },
      });
    const folder = await stat(job.cwd).catch(() => undefined);
    if (folder?.isDirectory() !== true)
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': working folder '${job.cwd}' does not exist`, { details: { jobId: job.id, cwd: job.cwd } });
  }

  /** The job's TMPDIR: `tmpDir` (created, kept) or a private folder inside its working folder (removed). */
  private async tempDir(job: RunnerJob): Promise<{ path: string; release(): Promise<void> }> {
    if (job.tmpDir !== undefined) {
      await mkdir(job.tmpDir, { recursive: true });
      return { path: job.tmpDir, release: async () => undefined };
    }
    const dir = await mkdtemp(path.join(job.cwd, JOB_TMP_PREFIX));
    return { path: dir, release: () => rm(dir, { recursive: true, force: true }).catch(() => undefined) };
  }
}

/** What the tool manifest asks the scheduler for; the time limit is the job's timeout plus a minute, in minutes. */
export function resourcesOf(job: RunnerJob): TaskResources {
  const r = job.tool?.resources;
  const limit = job.timeoutMs !== undefined && Number.isFinite(job.timeoutMs) ? Math.ceil(job.timeoutMs / 60_000) + 1 : undefined;
  return {
    ...(r?.cpus !== undefined && { cpus: r.cpus }),
    ...(r?.memoryMb !== undefined && { memoryMb: r.memoryMb }),
    ...(r?.gpus !== undefined && { gpus: r.gpus }),
    ...(limit !== undefined && { timeLimitMinutes: limit }),
  };
}

/** Waits for `work` unless `signal` aborts first (the work goes on, shared by other jobs). */
function abortable<T>(work: Promise<T>, signal: AbortSignal, reason: () => unknown): Promise<T> {
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

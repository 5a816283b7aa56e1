import { execFile } from 'node:child_process';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import type { OwnedJob } from './orphan-jobs.js';
import { decodeExitPair, parseQueueLine, QUEUE_FORMAT, type DecodedExit, type QueueEntry } from './slurm-state.js';
import type { SlurmSettings } from './slurm-settings.js';

/** The SLURM client commands the runner uses. */
export type SlurmCommand = 'sbatch' | 'squeue' | 'scancel' | 'sacct';

/** What a SLURM command printed and how it exited. */
interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

/** How {@link SlurmCli.cancel} stops jobs. */
export type CancelMode = 'cancel' | 'term' | 'kill';

/** A job's final state as accounting (sacct) remembers it, when the controller has forgotten it. */
export interface AccountedJob {
  readonly state: string;
  readonly exit: DecodedExit;
}

/** Variables of this process that SLURM commands keep (everything else, tokens included, is dropped). */
const KEPT_VARIABLES =
  /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z_]+|TZ|TMPDIR|SLURM_[A-Z0-9_]+|SBATCH_[A-Z0-9_]+|SQUEUE_[A-Z0-9_]+|SCANCEL_[A-Z0-9_]+|SACCT_[A-Z0-9_]+)$/;

/**
 * The environment SLURM commands run with: PATH, HOME, user, locale, TMPDIR and SLURM's own
 * variables (`SLURM_CONF`, `SBATCH_*` site defaults...). sbatch exports its environment to the
 * controller, which stores it with the job, so nothing else of this process may be in it.
 */
export function slurmCommandEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => value !== undefined && KEPT_VARIABLES.test(name)));
}

/** Longest time one SLURM command may take (the controller retries for MessageTimeout itself). */
const COMMAND_TIMEOUT_MS = 120_000;

/**
 * The SLURM client commands, run as argv (never through a shell) with the SLURM-related part of
 * this process's environment (see slurmCommandEnvironment). At most `maxConcurrent` commands run at once, so
 * a burst of submissions or cancellations does not fork hundreds of processes.
 *
 * Errors: RunnerError UNAVAILABLE naming the command, its exit code and SLURM's own message (for
 * example `sbatch: error: invalid partition specified: gpu`), or saying the command is not installed.
 */
export class SlurmCli {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly settings: Pick<SlurmSettings, 'binDir'>,
    env: NodeJS.ProcessEnv = process.env,
    private readonly maxConcurrent = 4,
  ) {
    this.env = slurmCommandEnvironment(env);
  }

  private readonly env: NodeJS.ProcessEnv;

  /** Submits a job script with the given sbatch options; resolves with the job id (`12345`). */
  async submit(script: string, options: readonly string[]): Promise<string> {
    const out = await this.checked('sbatch', ['--parsable', ...options, script]);
    const id = out.stdout.trim().split(';')[0] ?? '';
    if (!/^\d+$/.test(id))
      throw new RunnerError('UNAVAILABLE', `sbatch answered '${out.stdout.trim()}' instead of a job id (script ${script})`, { details: { script } });
    return id;
  }

  /**
   * The current state of the given jobs, one entry per job and per array task (`-r`), finished ones
   * included while the controller still keeps them (MinJobAge). Jobs it no longer knows are absent.
   */
  async queue(jobIds: readonly string[]): Promise<QueueEntry[]> {
    if (jobIds.length === 0) return [];
    const out = await this.run('squeue', ['--noheader', '--array', '--states=all', `--jobs=${jobIds.join(',')}`, `--Format=${QUEUE_FORMAT}`]);
    if (out.code !== 0) {
      if (/invalid job id/i.test(out.stderr)) return [];
      throw this.failure('squeue', out);
    }
    return out.stdout.split('\n').flatMap((line) => parseQueueLine(line) ?? []);
  }

  /**
   * This user's jobs on the cluster (pending or running) with their comments: one entry per job
   * or array task, named as scancel takes it (`12345`, `12345_7`).
   */
  async ownJobs(): Promise<OwnedJob[]> {
    const out = await this.run('squeue', ['--noheader', '--me', '--array', '--format=%i|%200k']);
    if (out.code !== 0) throw this.failure('squeue', out);
    return out.stdout.split('\n').flatMap((line) => {
      const bar = line.indexOf('|');
      const jobId = line.slice(0, bar).trim();
      return bar > 0 && /^\d+(_\d+)?$/.test(jobId) ? [{ jobId, comment: line.slice(bar + 1).trim() }] : [];
    });
  }

  /**
   * Stops jobs or array tasks (`12345`, `12345_7`). `cancel`: SLURM's normal cancellation
   * (SIGTERM to every process it tracks, SIGKILL after the cluster's KillWait; the job ends
   * CANCELLED). `term`: SIGTERM to the batch shell only (`--batch`), which forwards it to the tool's
   * whole process group at once (see jobScript). `kill`: SIGKILL to every process of the jobs.
   * Jobs that already ended are not an error.
   */
  async cancel(keys: readonly string[], how: CancelMode = 'cancel'): Promise<void> {
    if (keys.length === 0) return;
    const flags = how === 'kill' ? ['--signal=KILL', '--full'] : how === 'term' ? ['--signal=TERM', '--batch'] : [];
    const out = await this.run('scancel', [...flags, ...keys]);
    if (out.code !== 0 && !/already completing or completed|invalid job id|job is pending/i.test(out.stderr)) throw this.failure('scancel', out);
  }

  /** A finished job's state from accounting (sacct); `undefined` where accounting is disabled or silent. */
  async accounting(key: string): Promise<AccountedJob | undefined> {
    const out = await this.run('sacct', ['--noheader', '--parsable2', '--allocations', `--jobs=${key}`, '--format=JobID,State,ExitCode']).catch(
      () => undefined,
    );
    if (out === undefined || out.code !== 0) return undefined;
    for (const line of out.stdout.split('\n')) {
      const [id, state, exit] = line.split('|');
      if (id !== key || state === undefined || exit === undefined) continue;
      const decoded = decodeExitPair(exit);
      if (decoded !== undefined) return { state: state.split(/\s+/)[0] as string, exit: decoded };
    }
    return undefined;
  }

  private async checked(command: SlurmCommand, args: readonly string[]): Promise<CommandOutput> {
    const out = await this.run(command, args);
    if (out.code !== 0) throw this.failure(command, out);
    return out;
  }

  private failure(command: SlurmCommand, out: CommandOutput): RunnerError {
    const said = (out.stderr.trim() || out.stdout.trim()).split('\n').slice(0, 3).join(' / ');
    return new RunnerError('UNAVAILABLE', `${command} failed (exit ${out.code}): ${said || 'no message'}`, { details: { command, exitCode: out.code } });
  }

  /** Runs one command; resolves with its output and exit code (rejects only when it cannot start). */
  private async run(command: SlurmCommand, args: readonly string[]): Promise<CommandOutput> {
    await this.slot();
    const file = this.settings.binDir === undefined ? command : path.join(this.settings.binDir, command);
    try {
      return await new Promise<CommandOutput>((resolve, reject) => {
        execFile(
          file,
          args,
          { env: this.env, encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
          (error, stdout, stderr) => {
            if (error === null) return resolve({ stdout, stderr, code: 0 });
            const failure = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
            if (typeof failure.code === 'number') return resolve({ stdout, stderr, code: failure.code });
            if (failure.code === 'ENOENT') {
              const where =
                this.settings.binDir === undefined ? 'on PATH (install slurm-client, or set BIOIMAGEIT_SLURM_BIN_DIR)' : `in ${this.settings.binDir}`;
              return reject(new RunnerError('UNAVAILABLE', `${command} was not found ${where}`, { cause: error, details: { command } }));
            }
            const why = failure.killed === true ? `did not answer within ${COMMAND_TIMEOUT_MS / 1000} s` : failure.message;
            reject(new RunnerError('UNAVAILABLE', `${command} ${why}`, { cause: error, details: { command } }));
          },
        );
      });
    } finally {
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next !== undefined) next();
    else this.running--;
  }
}

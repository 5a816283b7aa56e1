import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { RunnerError } from '../errors/area-errors.js';
import type { Runner, RunnerJob, RunnerOptionsSchema, RunnerResult } from '../extension-points/runner.js';
import { baseEnvironment, jobEnvironment, type HostEnvironment } from './job-environment.js';
import { openJobLogs, type JobLogs } from './job-logs.js';
import { prepareJobTempDir, type JobTempDir } from './job-temp-dir.js';
import { ExecutableResolver, hasPathSeparator } from './resolve-executable.js';
import { signalGroup, signalProcessTree, TreeKiller, usesProcessGroups, type TreeSignaller } from './process-tree.js';
import { HelperSpawnFailure, SpawnHelper, type LedgerJob } from './spawn-helper.js';
import { defaultLedgerDir, JobLedger, type ReapedJob } from './job-ledger.js';

/** Settings of a {@link LocalRunner}; all optional. */
export interface LocalRunnerOptions {
  /** Milliseconds between SIGTERM and SIGKILL when a job times out or is cancelled (default 2000). */
  readonly killGraceMs?: number;
  /** Where base variables and `passEnv` are read from (default `process.env`). */
  readonly hostEnv?: HostEnvironment;
  /**
   * How tool processes are started: `helper` (default on POSIX) spawns them from a small helper
   * process whose fork cost does not grow with this process's memory (see SpawnHelper);
   * `in-process` spawns them from this process. Jobs with `onOutput` always start in-process
   * (their output is piped through this process).
   */
  readonly spawn?: 'helper' | 'in-process';
  /**
   * Folder of the job ledger (see JobLedger; default `<tmp>/bioimageit-<uid>/local-jobs`), or
   * `false` for none. The spawn helper records the running jobs there; before its first job the
   * runner stops the tools that BioImageIT processes of this host, now dead, left running.
   */
  readonly ledgerDir?: string | false;
  /** Where the one line about stopped leftover tools goes (default: stderr). */
  readonly log?: (line: string) => void;
}

/** setTimeout's largest delay; longer limits would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Why the runner stopped a job, if it did. */
type StopReason = 'timeout' | 'cancel';

/** How the tool process ended, or why it never started. */
type Ending = { readonly exitCode: number | null; readonly signal: NodeJS.Signals | null } | { readonly spawnError: unknown };

/** A started tool as the runner supervises it, however it was spawned. */
interface Started {
  /** Signals the tool's process tree. */
  readonly signal: TreeSignaller;
  /** Resolves with how it ended, or why its log files could not be opened (never rejects). */
  readonly ended: Promise<Ending | { readonly logsError: unknown }>;
}

/** Log files the helper opened itself: nothing to attach or flush here. */
const HELPER_LOGS: JobLogs = { stdio: ['ignore', 'pipe', 'pipe'], attach: () => undefined, finish: async () => undefined };

const cancelled = (job: RunnerJob, details: Record<string, unknown> = {}): RunnerError =>
  new RunnerError('CANCELLED', `job '${job.id}' was cancelled`, { details: { jobId: job.id, ...details } });

/**
 * The built-in runner (id `local`): runs a job's argv as a process on this machine.
 *
 * - No shell, ever: `argv[0]` is resolved through the job's PATH (RunnerError UNAVAILABLE naming
 *   the command when nothing executable answers, before anything is spawned) and the remaining
 *   elements reach the tool literally. The tool sees `argv[0]` as given.
 * - A clean environment: PATH, HOME, LANG/LC_ALL, USER, a per-job TMPDIR, `passEnv` variables,
 *   then the job's `env`; nothing else from this process leaks into tools.
 * - `cwd` must be an existing folder (else UNAVAILABLE naming it). TMPDIR is a private
 *   `.bioimageit-tmp-*` folder inside it, removed when the job ends, unless `tmpDir` is given.
 * - stdout and stderr are appended to their log files (created even when empty); the tool writes
 *   to them directly, so output is never held in memory. stdin is empty.
 * - Each job gets its own process group. `timeoutMs` or an aborted signal sends SIGTERM to the
 *   whole group, SIGKILL after the grace period, and rejects with TIMEOUT or CANCELLED once the
 *   tool has exited (an infinite `timeoutMs` means no limit). When the tool exits, anything it
 *   left running in its group is killed.
 * - No tool outlives this process for long: should it die without stopping its jobs (`kill -9`),
 *   the spawn helper stops their groups (SIGTERM, SIGKILL after the grace period). Should the
 *   helper die too, each running job is in the job ledger (pid and start time, kept by the
 *   helper), and the first job of any later LocalRunner on this host waits until the leftovers of
 *   dead owners are stopped, and says so in one line. (With `spawn: 'in-process'` there is no
 *   helper: neither applies.)
 * - A non-zero exit code RESOLVES: `{ exitCode }`; the job engine decides what is a failure.
 *   Death by a signal the runner did not send resolves with `{ exitCode: null, signal }`.
 * - `environment` records the runner id, executable, host, platform, arch, OS release, user,
 *   start and end times (ISO 8601) and the duration in milliseconds.
 */
export class LocalRunner implements Runner {
  readonly id = 'local';
  /** No per-run options: a run's `runnerOptions` for this runner are refused (nothing to schedule or isolate). */
  readonly runOptions: RunnerOptionsSchema = {};
  private readonly graceMs: number;
  private readonly host: HostEnvironment;
  private readonly base: Readonly<Record<string, string>>;
  private readonly facts: Readonly<Record<string, unknown>>;
  private readonly resolver = new ExecutableResolver();
  private readonly helper: SpawnHelper | undefined;
  private readonly ledger: JobLedger | undefined;
  private readonly log: (line: string) => void;
  /** Leftovers of dead owners stopped before the first job (see JobLedger.reap). */
  private reaped: Promise<void> | undefined;

  constructor(options: LocalRunnerOptions = {}) {
    this.graceMs = options.killGraceMs ?? 2000;
    this.ledger = options.ledgerDir === false || !usesProcessGroups ? undefined : new JobLedger(options.ledgerDir ?? defaultLedgerDir());
    this.helper =
      (options.spawn ?? 'helper') === 'helper' && usesProcessGroups
        ? new SpawnHelper({ graceMs: this.graceMs, ...(this.ledger !== undefined && { ledgerDir: this.ledger.dir }) })
        : undefined;
    this.log = options.log ?? ((line) => void process.stderr.write(`${line}\n`));
    this.host = options.hostEnv ?? process.env;
    this.base = Object.freeze(baseEnvironment(this.host));
    this.facts = Object.freeze({
      host: os.hostname(),
      platform: process.platform,
      arch: process.arch,
      osRelease: os.release(),
      ...(this.base['USER'] === undefined ? {} : { user: this.base['USER'] }),
    });
  }

  /** Runs one job; see the class documentation for what resolves and what rejects. */
  async run(job: RunnerJob, signal: AbortSignal): Promise<RunnerResult> {
    if (signal.aborted) throw cancelled(job, { started: false });
    const command = job.argv[0];
    if (command === undefined || command === '') {
      throw new RunnerError('UNAVAILABLE', `job '${job.id}' has no command (empty argv)`, { details: { jobId: job.id } });
    }
    const searchPath = job.env['PATH'] ?? this.base['PATH'];
    const viaHelper = this.helper !== undefined && job.onOutput === undefined;
    const [tmp, executable, logs] = await Promise.allSettled([
      prepareJobTempDir(job.id, job.cwd, job.tmpDir),
      this.resolver.resolve(command, searchPath, job.cwd),
      viaHelper ? HELPER_LOGS : openJobLogs(job), // the helper opens the log files itself
      (this.reaped ??= this.reapLeftovers()), // never beside a tool a dead process left running
    ]);
    const failure = this.preparationFailure(job, command, searchPath, tmp, executable, logs);
    if (failure !== undefined || signal.aborted) {
      await Promise.all([tmp.status === 'fulfilled' ? tmp.value.release() : undefined, logs.status === 'fulfilled' ? logs.value.finish(0) : undefined]);
      throw failure ?? cancelled(job, { started: false });
    }
    const ready = (r: PromiseSettledResult<unknown>) => (r as PromiseFulfilledResult<never>).value;
    return this.execute(job, command, ready(executable) as string, ready(tmp) as JobTempDir, ready(logs) as JobLogs, signal);
  }

  private preparationFailure(
    job: RunnerJob,
    command: string,
    searchPath: string | undefined,
    tmp: PromiseSettledResult<JobTempDir>,
    executable: PromiseSettledResult<string | undefined>,
    logs: PromiseSettledResult<JobLogs>,
  ): unknown {
    if (tmp.status === 'rejected') return tmp.reason;
    if (executable.status === 'rejected' || executable.value === undefined) {
      const where = hasPathSeparator(command) ? `is not an executable file (from '${job.cwd}')` : `was not found in PATH '${searchPath ?? ''}'`;
      return new RunnerError('UNAVAILABLE', `job '${job.id}': command '${command}' ${where}`, {
        details: { jobId: job.id, command, path: searchPath },
      });
    }
    if (logs.status === 'rejected') return logsUnavailable(job, logs.reason);
    return undefined;
  }

  private execute(job: RunnerJob, command: string, executable: string, tmp: JobTempDir, logs: JobLogs, signal: AbortSignal): Promise<RunnerResult> {
    const env = jobEnvironment(this.base, this.host, job, tmp.path);
    const startedAt = new Date();
    const t0 = performance.now();
    const started = logs === HELPER_LOGS ? this.startViaHelper(job, command, executable, env) : this.startHere(job, command, executable, env, logs);
    if ('spawnError' in started) return this.finish(job, command, executable, tmp, logs, started, undefined, startedAt, t0);
    const killer = new TreeKiller(started.signal, this.graceMs);
    return new Promise<RunnerResult>((resolve, reject) => {
      let reason: StopReason | undefined;
      const stop = (why: StopReason): void => {
        if (reason !== undefined) return;
        reason = why;
        killer.terminate();
      };
      const onAbort = (): void => stop('cancel');
      signal.addEventListener('abort', onAbort, { once: true });
      const limit = job.timeoutMs;
      const timer = limit === undefined || !Number.isFinite(limit) ? undefined : setTimeout(() => stop('timeout'), Math.min(Math.max(limit, 0), MAX_TIMER_MS));
      void started.ended.then((ending) => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        killer.sweep();
        if ('logsError' in ending) {
          const error = logsUnavailable(job, ending.logsError);
          void tmp.release().then(() => reject(error));
          return;
        }
        this.finish(job, command, executable, tmp, logs, ending, reason, startedAt, t0).then(resolve, reject);
      });
    });
  }

  /** Spawns the tool from this process (pipes when the job has `onOutput`). */
  private startHere(job: RunnerJob, command: string, executable: string, env: NodeJS.ProcessEnv, logs: JobLogs): Started | { spawnError: unknown } {
    let child: ChildProcess;
    try {
      child = spawn(executable, job.argv.slice(1), {
        argv0: command,
        cwd: job.cwd,
        env,
        stdio: logs.stdio,
        detached: usesProcessGroups,
        shell: false,
        windowsHide: true,
      });
    } catch (spawnError) {
      return { spawnError };
    }
    logs.attach(child);
    const pid = child.pid;
    // The helper, if any, stops this group should this process die without doing so.
    if (pid !== undefined && usesProcessGroups) this.helper?.watch(pid, job.cwd, ledgerJob(job));
    const ended = new Promise<Ending>((resolve) => {
      child.once('error', (spawnError) => {
        if (child.pid === undefined) resolve({ spawnError });
      });
      child.once('exit', (exitCode, exitSignal) => {
        if (pid !== undefined) this.helper?.unwatch(pid);
        resolve({ exitCode, signal: exitSignal });
      });
    });
    return { signal: (s) => signalProcessTree(child, s), ended };
  }

  /**
   * Spawns the tool from the spawn helper. Signals sent before the helper reported the pid are
   * delivered as soon as it does; if the helper dies, whatever the job left is killed.
   */
  private startViaHelper(job: RunnerJob, command: string, executable: string, env: NodeJS.ProcessEnv): Started {
    const launched = (this.helper as SpawnHelper).launch({
      file: executable,
      args: job.argv.slice(1),
      argv0: command,
      cwd: job.cwd,
      env: env as Record<string, string>,
      stdout: job.stdoutPath,
      stderr: job.stderrPath,
      detached: true,
      job: ledgerJob(job),
    });
    let pid: number | undefined;
    let owed: NodeJS.Signals | undefined;
    const send: TreeSignaller = (s) => {
      if (pid !== undefined) return signalGroup(pid, s);
      owed = owed === 'SIGKILL' ? owed : s;
      return true;
    };
    void launched.started.then(
      (p) => {
        pid = p;
        if (owed !== undefined) signalGroup(p, owed);
      },
      () => undefined,
    );
    const ended = launched.exited.then(
      (e): Ending => e,
      (failure: unknown) => {
        if (failure instanceof HelperSpawnFailure && failure.stage === 'logs') return { logsError: failure };
        if (pid !== undefined) signalGroup(pid, 'SIGKILL');
        return { spawnError: failure };
      },
    );
    return { signal: send, ended };
  }

  /** Stops what dead BioImageIT processes of this host left running (see JobLedger.reap); one line when there was any. */
  private async reapLeftovers(): Promise<void> {
    if (this.ledger === undefined) return;
    const reaped = (await this.ledger.reap(this.graceMs)).filter((r) => r.wasRunning);
    if (reaped.length > 0) this.log(leftoversLine(reaped));
  }

  /** Flushes logs, removes the temporary folder and turns the ending into a result or an error. */
  private async finish(
    job: RunnerJob,
    command: string,
    executable: string,
    tmp: JobTempDir,
    logs: JobLogs,
    ending: Ending,
    reason: StopReason | undefined,
    startedAt: Date,
    t0: number,
  ): Promise<RunnerResult> {
    await Promise.all([logs.finish(this.graceMs), tmp.release()]);
    const durationMs = performance.now() - t0;
    const environment = {
      runner: this.id,
      executable,
      ...this.facts,
      startedAt: startedAt.toISOString(),
      endedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
      durationMs: Math.round(durationMs * 1000) / 1000,
    };
    if ('spawnError' in ending) {
      if (ending.spawnError instanceof HelperSpawnFailure && ending.spawnError.stage === 'helper') {
        if (reason === 'cancel') throw cancelled(job, { started: true, environment });
        throw new RunnerError('UNAVAILABLE', `job '${job.id}': lost track of '${command}': ${ending.spawnError.message}`, {
          cause: ending.spawnError,
          details: { jobId: job.id, command, executable },
        });
      }
      this.resolver.forget(command, job.env['PATH'] ?? this.base['PATH'], job.cwd);
      const why = ending.spawnError instanceof Error ? ending.spawnError.message : String(ending.spawnError);
      throw new RunnerError('UNAVAILABLE', `job '${job.id}': cannot start '${command}' (${executable}): ${why}`, {
        cause: ending.spawnError,
        details: { jobId: job.id, command, executable },
      });
    }
    const details = { jobId: job.id, exitCode: ending.exitCode, signal: ending.signal, environment };
    if (reason === 'timeout') {
      throw new RunnerError('TIMEOUT', `job '${job.id}' exceeded its time limit of ${job.timeoutMs} ms and was killed`, {
        details: { ...details, timeoutMs: job.timeoutMs },
      });
    }
    if (reason === 'cancel') throw cancelled(job, { ...details, started: true });
    return ending.signal === null ? { exitCode: ending.exitCode, environment } : { exitCode: null, signal: ending.signal, environment };
  }
}

/** The job as the ledger records it. */
const ledgerJob = (job: RunnerJob): LedgerJob => (job.runId === undefined ? { id: job.id } : { id: job.id, runId: job.runId });

/** `local runner: stopped 2 tool(s) left running by BioImageIT process(es) that died: pid 412 (job-0001 of run 1a2b3c4d), ...` */
function leftoversLine(reaped: readonly ReapedJob[]): string {
  const jobs = reaped.map(({ entry }) => `pid ${entry.job.pid} (${entry.jobId}${entry.runId === undefined ? '' : ` of run ${entry.runId.slice(0, 8)}`})`);
  const owners = [...new Set(reaped.map(({ entry }) => entry.owner.pid))].join(', ');
  return `local runner: stopped ${reaped.length} tool(s) left running by BioImageIT process(es) that died (pid ${owners}): ${jobs.join(', ')}`;
}

function logsUnavailable(job: RunnerJob, reason: unknown): RunnerError {
  const why = reason instanceof Error ? reason.message : String(reason);
  return new RunnerError('UNAVAILABLE', `job '${job.id}': cannot open its log files: ${why}`, {
    cause: reason,
    details: { jobId: job.id, stdoutPath: job.stdoutPath, stderrPath: job.stderrPath },
  });
}

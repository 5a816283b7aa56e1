import { spawn, type ChildProcess } from 'node:child_process';
import { thisProcess } from './process-identity.js';
import { SPAWN_HELPER_SOURCE } from './spawn-helper-source.js';

/** Which job a tool runs, for the job ledger (see JobLedger). */
export interface LedgerJob {
  readonly id: string;
  readonly runId?: string;
}

/** Settings of a {@link SpawnHelper}; all optional. */
export interface SpawnHelperOptions {
  /** How long the helper waits between SIGTERM and SIGKILL when it stops orphaned jobs (default 2000). */
  readonly graceMs?: number;
  /** The job ledger's folder (see JobLedger), kept by the helper for jobs that name a `job`; none when absent. */
  readonly ledgerDir?: string;
}

/** What the helper needs to start one tool process. */
export interface HelperSpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly argv0: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Log files, opened in append mode (created when missing) by the helper. */
  readonly stdout: string;
  readonly stderr: string;
  /** Start the tool in its own process group. */
  readonly detached: boolean;
  /** Record the tool in the job ledger as this job (only with `detached`, and a ledger folder). */
  readonly job?: LedgerJob;
}

/** Why the helper could not start a tool: the log files could not be opened, or spawn failed. */
export class HelperSpawnFailure extends Error {
  constructor(
    readonly stage: 'logs' | 'spawn' | 'helper',
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HelperSpawnFailure';
  }
}

/** A tool process started by the helper. */
export interface HelperProcess {
  /** Resolves with the tool's pid once started; rejects with a {@link HelperSpawnFailure}. */
  readonly started: Promise<number>;
  /** Resolves when the tool exited (rejects like `started`, or when the helper died meanwhile). */
  readonly exited: Promise<{ readonly exitCode: number | null; readonly signal: NodeJS.Signals | null }>;
}

interface Pending {
  /** The helper process the job was handed to. */
  readonly helper: ChildProcess;
  readonly started: { resolve(pid: number): void; reject(e: Error): void };
  readonly exited: { resolve(v: { exitCode: number | null; signal: NodeJS.Signals | null }): void; reject(e: Error): void };
}

type HelperMessage =
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'failed'; id: number; stage: 'logs' | 'spawn'; message: string; code?: string };

/**
 * Starts tool processes from a small, long-lived helper process instead of this one.
 *
 * Why: Node forks the whole calling process to spawn a child, and the cost of a fork grows with
 * the caller's resident memory (measured here: 0.5 ms of CPU per spawn at 49 MB, 6.7 ms at
 * 431 MB). The kernel holds item indexes and records, so spawning from a helper that never grows
 * keeps the per-job cost flat however large the experiment is.
 *
 * The helper is started on first use with a minimal environment (no NODE_OPTIONS, no loaders),
 * stays alive while jobs are in flight and does not keep this process alive when idle. If it
 * dies, the jobs it was watching reject with stage `helper` (their process groups are still
 * signalled by the caller, which knows their pids) and the next launch starts a new one.
 *
 * It also supervises the jobs: when this process goes without stopping them (`kill -9`, a crash)
 * or closes the helper, the helper stops the process group of every job still running — SIGTERM,
 * then SIGKILL after `graceMs` — including the groups handed to it with {@link watch}. With a
 * `ledgerDir` it keeps the job ledger of those that name a job (off this process's path), for
 * when this process and the helper are killed together.
 */
export class SpawnHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly options: SpawnHelperOptions = {}) {}

  /** Asks the helper to start one process. */
  launch(request: HelperSpawnRequest): HelperProcess {
    const child = this.ensure();
    const id = this.nextId++;
    let started!: Pending['started'];
    let exited!: Pending['exited'];
    const startedP = new Promise<number>((resolve, reject) => (started = { resolve, reject }));
    const exitedP = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => (exited = { resolve, reject }));
    startedP.catch(() => undefined);
    exitedP.catch(() => undefined);
    this.pending.set(id, { helper: child, started, exited });
    this.hold();
    const sent = child.send({ t: 'spawn', id, ...request }, (error) => {
      if (error !== null) this.settleFailure(id, new HelperSpawnFailure('helper', `the spawn helper did not take the job: ${error.message}`));
    });
    if (!sent && !child.connected) this.settleFailure(id, new HelperSpawnFailure('helper', 'the spawn helper is not running'));
    return { started: startedP, exited: exitedP };
  }

  /** The helper's pid while it runs (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child?.connected === true ? this.child.pid : undefined;
  }

  /**
   * Hands the helper a process group this process started itself (its leader's pid), to stop like
   * the helper's own jobs should this process go without stopping it; {@link unwatch} once it ended.
   * Starts the helper when needed; never keeps this process alive.
   */
  watch(pid: number, cwd: string, job?: LedgerJob): void {
    const child = this.ensure();
    child.send({ t: 'watch', pid, cwd, ...(job !== undefined && { job }) }, () => undefined);
  }

  /** Forgets a group given to {@link watch} (the job ended). */
  unwatch(pid: number): void {
    if (this.child?.connected === true) this.child.send({ t: 'unwatch', pid }, () => undefined);
  }

  /**
   * Stops the helper. Tools still running are stopped by it (SIGTERM, SIGKILL after the grace
   * period); their exits are no longer reported.
   */
  close(): void {
    const child = this.child;
    this.child = undefined;
    if (child?.connected) child.disconnect();
    this.failAll('the spawn helper was closed');
  }

  private ensure(): ChildProcess {
    if (this.child !== undefined && this.child.connected) return this.child;
    const child = spawn(
      process.execPath,
      ['--eval', SPAWN_HELPER_SOURCE, String(this.options.graceMs ?? 2000), this.options.ledgerDir ?? '', JSON.stringify(thisProcess)],
      {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        env: { PATH: process.env['PATH'] ?? '' },
        serialization: 'json',
        windowsHide: true,
      },
    );
    child.on('message', (m: HelperMessage) => this.onMessage(m));
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
      this.failAll('the spawn helper exited', child);
    });
    child.once('error', () => {
      if (this.child === child) this.child = undefined;
      this.failAll('the spawn helper could not start', child);
    });
    this.child = child;
    this.release();
    return child;
  }

  private onMessage(m: HelperMessage): void {
    const job = this.pending.get(m.id);
    if (job === undefined) return;
    if (m.t === 'spawned') {
      job.started.resolve(m.pid);
      return;
    }
    if (m.t === 'exit') {
      this.pending.delete(m.id);
      job.exited.resolve({ exitCode: m.code, signal: m.signal });
      this.release();
      return;
    }
    this.settleFailure(m.id, new HelperSpawnFailure(m.stage, m.message, m.code));
  }

  private settleFailure(id: number, error: HelperSpawnFailure): void {
    const job = this.pending.get(id);
    if (job === undefined) return;
    this.pending.delete(id);
    job.started.reject(error);
    job.exited.reject(error);
    this.release();
  }

  /** Fails the jobs handed to `helper` (every job when absent). */
  private failAll(why: string, helper?: ChildProcess): void {
    for (const [id, job] of [...this.pending]) {
      if (helper === undefined || job.helper === helper) this.settleFailure(id, new HelperSpawnFailure('helper', why));
    }
  }

  /** Keeps this process alive while a job is in flight. */
  private hold(): void {
    this.child?.ref();
    this.child?.channel?.ref();
  }

  /** Lets this process exit when no job is in flight. */
  private release(): void {
    if (this.pending.size > 0) return;
    this.child?.unref();
    this.child?.channel?.unref();
  }
}

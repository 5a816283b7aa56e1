import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import { readLock, type LockedPackage } from './conda-lock.js';
import type { CreationReport, EnvironmentCreator } from './environment-creator.js';
import type { EnvironmentProgress } from './environment-progress.js';
import type { SolvedEnvironmentSpec } from './environment-spec.js';
import { withFileLock } from './file-lock.js';
import { redactError, redactJson, redactText } from './redact.js';

/** Folder inside a prefix holding BioImageIT's record of it. */
export const RECORD_DIR = '.bioimageit';
/** The record whose presence marks a prefix complete and usable: {@link EnvironmentRecord}. */
export const RECORD_FILE = 'environment.json';

/** What BioImageIT knows about an environment it made: written last, read by every run. */
export interface EnvironmentRecord {
  readonly hash: string;
  readonly prefix: string;
  readonly platform: string;
  readonly specs: readonly string[];
  readonly channels: readonly string[];
  readonly pip: readonly string[];
  readonly init?: string;
  /** Variables set on activation (`conda-meta/state`). */
  readonly variables?: Readonly<Record<string, string>>;
  /** What made it: `embedded (...)` or `micromamba 1.5.8 (/usr/bin/micromamba)`. */
  readonly createdBy: string;
  readonly createdAt: string;
  /** The exact solved package list. */
  readonly lock: readonly LockedPackage[];
}

/** A usable environment, and whether this call had to create it. */
export interface ReadyEnvironment {
  readonly record: EnvironmentRecord;
  readonly created: boolean;
}

/** A creation in progress (or finished) and who waits for it. */
interface Pending {
  readonly promise: Promise<EnvironmentRecord>;
  /** Stops the creation (when the last waiter gives up). */
  readonly stop: AbortController;
  /** Callers waiting with a signal; a caller without one counts as infinitely many. */
  waiters: number;
  failedAt?: number;
}

/** How long a failed creation is remembered, so the other jobs of a run fail fast instead of retrying. */
const FAILURE_MEMORY_MS = 60_000;

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/**
 * Owns the environments folder: one prefix per requirement set at `<envs>/<hash>`, made once and
 * reused. A prefix is usable only once its `.bioimageit/environment.json` record exists (written
 * last, atomically); a prefix without one is half-made and is removed before the next attempt.
 * Concurrent requests for the same environment share one creation: in this process through a
 * promise per hash, across processes through the lock file `<envs>/<hash>.lock`. A failed creation
 * leaves no prefix and no staging folder behind, and is remembered for a minute. Credentials in
 * channel URLs never reach the record, the progress display or the errors (see `redactText`).
 */
export class EnvironmentManager {
  private readonly pending = new Map<string, Pending>();

  constructor(
    readonly envsDir: string,
    private readonly creator: EnvironmentCreator,
    private readonly progress: EnvironmentProgress = () => undefined,
  ) {}

  /** Path of the prefix of a requirement set. */
  prefixOf(spec: SolvedEnvironmentSpec): string {
    return path.join(this.envsDir, spec.hash);
  }

  /**
   * The ready environment of `spec`, creating it when needed. `label` names the tool in creation
   * errors (shared by every job waiting for the same creation), `jobId` the job in a
   * cancellation. Aborting `signal` stops waiting (RunnerError CANCELLED); the creation goes on
   * while another caller still waits for it, and is stopped (its process killed, its downloads
   * aborted, everything it made removed) once every caller has given up, so that an interrupted
   * command exits at once. An environment removed from disk while this manager lives is made
   * again. Throws the creator's RunnerError UNAVAILABLE on failure.
   */
  async ensure(spec: SolvedEnvironmentSpec, label: string, signal?: AbortSignal, jobId?: string): Promise<ReadyEnvironment> {
    const known = this.pending.get(spec.hash);
    if (known !== undefined && (known.failedAt === undefined || Date.now() - known.failedAt < FAILURE_MEMORY_MS)) {
      const record = await this.wait(known, spec, signal, jobId);
      if (await exists(path.join(record.prefix, RECORD_DIR, RECORD_FILE))) return { record, created: false };
      if (this.pending.get(spec.hash) === known) this.pending.delete(spec.hash);
      return this.ensure(spec, label, signal, jobId);
    }
    let created = false;
    const stop = new AbortController();
    const entry: Pending = {
      waiters: 0,
      stop,
      promise: this.readRecord(spec).then(async (ready) => {
        if (ready !== undefined) return ready;
        const made = await this.createLocked(spec, label, stop.signal);
        created = made.created;
        return made.record;
      }),
    };
    entry.promise.then(
      () => undefined,
      () => {
        // A creation stopped because nobody waits any more is not a failure to remember.
        if (stop.signal.aborted && this.pending.get(spec.hash) === entry) this.pending.delete(spec.hash);
        else entry.failedAt = Date.now();
      },
    );
    this.pending.set(spec.hash, entry);
    const record = await this.wait(entry, spec, signal, jobId);
    return { record, created };
  }

  /** Waits for a creation as one of its waiters; the last waiter to abort stops it. */
  private async wait(entry: Pending, spec: SolvedEnvironmentSpec, signal: AbortSignal | undefined, jobId: string | undefined): Promise<EnvironmentRecord> {
    const cancelled = (): RunnerError =>
      new RunnerError('CANCELLED', `job '${jobId ?? '?'}' was cancelled while waiting for conda environment ${spec.hash}`, {
        details: { jobId, started: false, environment: spec.hash },
      });
    if (signal?.aborted === true) throw cancelled();
    entry.waiters += signal === undefined ? Number.POSITIVE_INFINITY : 1;
    if (signal === undefined) return entry.promise;
    return new Promise<EnvironmentRecord>((resolve, reject) => {
      const onAbort = (): void => {
        entry.waiters -= 1;
        if (entry.waiters === 0) entry.stop.abort(cancelled());
        reject(cancelled());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** The record of a complete prefix, or undefined when the prefix is missing or half-made. */
  async readRecord(spec: SolvedEnvironmentSpec): Promise<EnvironmentRecord | undefined> {
    const file = path.join(this.prefixOf(spec), RECORD_DIR, RECORD_FILE);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as EnvironmentRecord;
    } catch {
      return undefined;
    }
  }

  private async createLocked(spec: SolvedEnvironmentSpec, label: string, signal: AbortSignal): Promise<{ record: EnvironmentRecord; created: boolean }> {
    await mkdir(this.envsDir, { recursive: true });
    const report = (phase: Parameters<EnvironmentProgress>[0]['phase'], message: string, done?: number, total?: number): void => {
      try {
        this.progress({ hash: spec.hash, phase, message: redactText(message), ...(done !== undefined && { done }), ...(total !== undefined && { total }) });
      } catch {
        // a failing display must not break the run
      }
    };
    return withFileLock(
      path.join(this.envsDir, `${spec.hash}.lock`),
      async () => {
        const ready = await this.readRecord(spec);
        if (ready !== undefined) return { record: ready, created: false };
        return { record: await this.create(spec, label, report, signal), created: true };
      },
      { signal, onWait: (owner) => report('waiting', `waiting for ${owner}, which is creating this environment`) },
    );
  }

  private async create(spec: SolvedEnvironmentSpec, label: string, report: CreationReport, signal: AbortSignal): Promise<EnvironmentRecord> {
    const prefix = this.prefixOf(spec);
    await this.removeLeftovers(spec);
    const staging = await mkdtemp(path.join(this.envsDir, `.staging-${spec.hash}-`));
    try {
      signal.throwIfAborted();
      await this.creator.create(spec, { prefix, staging }, report, label, signal);
      signal.throwIfAborted();
      if (!(await exists(path.join(prefix, 'conda-meta')))) {
        throw new RunnerError('UNAVAILABLE', `${label}: creating conda environment ${prefix} left no conda-meta folder`, { details: { prefix } });
      }
      const record: EnvironmentRecord = {
        hash: spec.hash,
        prefix,
        platform: spec.platform,
        specs: redactJson(spec.specs),
        channels: redactJson(spec.channels),
        pip: spec.pip,
        ...(spec.init !== undefined && { init: spec.init }),
        ...(spec.variables !== undefined && { variables: redactJson(spec.variables) }),
        createdBy: await this.creator.describe(),
        createdAt: new Date().toISOString(),
        lock: await readLock(prefix),
      };
      await writeRecord(prefix, record);
      report('ready', `ready at ${prefix} (${record.lock.length} packages)`);
      return record;
    } catch (e) {
      await rm(prefix, { recursive: true, force: true });
      if (signal.aborted) {
        report('failed', 'stopped: every job waiting for it was cancelled');
        throw signal.reason;
      }
      report('failed', e instanceof Error ? e.message : String(e));
      throw redactError(e);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Removes a half-made prefix and staging folders of `spec` left by a crashed process (we hold the lock). */
  private async removeLeftovers(spec: SolvedEnvironmentSpec): Promise<void> {
    await rm(this.prefixOf(spec), { recursive: true, force: true });
    const names = await readdir(this.envsDir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(`.staging-${spec.hash}-`)).map((n) => rm(path.join(this.envsDir, n), { recursive: true, force: true })));
  }
}

/** Writes the record through a temporary file and a rename: it appears whole or not at all. */
async function writeRecord(prefix: string, record: EnvironmentRecord): Promise<void> {
  const dir = path.join(prefix, RECORD_DIR);
  await mkdir(dir, { recursive: true });
  const explicit = ['@EXPLICIT', ...record.lock.filter((p) => p.url !== undefined).map((p) => (p.md5 === undefined ? p.url : `${p.url}#${p.md5}`))];
  await writeFile(path.join(dir, 'explicit.txt'), `${explicit.join('\n')}\n`);
  const temp = path.join(dir, `${RECORD_FILE}.tmp-${process.pid}`);
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, path.join(dir, RECORD_FILE));
}

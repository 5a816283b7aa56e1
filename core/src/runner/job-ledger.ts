import { lstatSync } from 'node:fs';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { groupExists, signalGroup } from './process-tree.js';
import { isSameProcessAlive, liveGroupMembers, processStartTicks, type ProcessIdentity } from './process-identity.js';

/** What the ledger knows of one running job. */
export interface LedgerEntry {
  readonly host: string;
  /** The process that started the job (the one whose death orphans it). */
  readonly owner: ProcessIdentity;
  /** The tool process, leader of the job's process group. */
  readonly job: ProcessIdentity;
  readonly jobId: string;
  readonly runId?: string;
  readonly cwd: string;
  /** ISO time the job started. */
  readonly time: string;
}

/** A job the ledger stopped: its entry, and whether it was still running. */
export interface ReapedJob {
  readonly entry: LedgerEntry;
  readonly wasRunning: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long an unreadable entry (its writer killed mid-write) is left alone before it is removed. */
const UNREADABLE_GRACE_MS = 60_000;

/**
 * The default ledger folder: `<tmp>/bioimageit-<uid>/local-jobs`, private to this user. Only the
 * processes of one host and user share it, which is what a pid can tell apart.
 */
export function defaultLedgerDir(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username;
  return path.join(os.tmpdir(), `bioimageit-${uid}`, 'local-jobs');
}

/**
 * The job ledger: a folder with one small file per job the local runner has running
 * (`<owner pid>-<tool pid>.json`, a {@link LedgerEntry}), written by the spawn helper when the tool
 * starts and removed when it ends (see SPAWN_HELPER_SOURCE). When the owner is killed together
 * with its spawn helper (`kill -9` of the whole process group), the tools live on in their own
 * groups; the ledger is how a later process finds them: {@link reap} stops the groups whose owner
 * is dead, each identified by pid and start time, so that a pid reused by an unrelated process is
 * never signalled.
 *
 * Best effort by design: a folder that cannot be made, or is not this user's own private one,
 * turns the ledger off, and jobs run as before.
 */
export class JobLedger {
  constructor(readonly dir: string = defaultLedgerDir()) {}

  /**
   * Stops the jobs of this host whose owner process is dead (pid and start time): SIGTERM to each
   * still-running group, SIGKILL after `graceMs` to what is left, then waits (up to `waitMs` more)
   * until the groups are empty, and removes their entries. Entries of live owners (this process
   * included) are left alone. Resolves with what it found; never rejects.
   */
  async reap(graceMs: number, waitMs = 5000): Promise<ReapedJob[]> {
    const found = await this.orphans().catch(() => []);
    const running = found.filter((o) => o.wasRunning);
    for (const { entry } of running) signalGroup(entry.job.pid, 'SIGTERM');
    const alive = (): ReapedJob[] => running.filter(({ entry }) => groupRunning(entry.job.pid));
    const killAt = Date.now() + graceMs;
    let killed = false;
    while (alive().length > 0 && Date.now() < killAt + waitMs) {
      if (!killed && Date.now() >= killAt) {
        killed = true;
        for (const { entry } of alive()) signalGroup(entry.job.pid, 'SIGKILL');
      }
      await sleep(50);
    }
    await Promise.all(found.map(({ file }) => unlink(file).catch(() => undefined)));
    return found.map(({ entry, wasRunning }) => ({ entry, wasRunning }));
  }

  /** Entries whose owner is dead, each with whether its job's group is still its own and running. */
  private async orphans(): Promise<(ReapedJob & { file: string })[]> {
    if (!this.trusted()) return [];
    const all = await readdir(this.dir);
    // a helper killed between writing an entry and renaming it into place leaves its temporary file
    for (const name of all.filter((n) => n.endsWith('.json.tmp'))) {
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_GRACE_MS) await unlink(file).catch(() => undefined);
    }
    const names = all.filter((n) => n.endsWith('.json'));
    const found: (ReapedJob & { file: string })[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const entry = await readEntry(file);
      if (entry === undefined) {
        const info = await stat(file).catch(() => undefined);
        if (info !== undefined && Date.now() - info.mtimeMs > UNREADABLE_GRACE_MS) await unlink(file).catch(() => undefined);
        continue;
      }
      if (entry.host !== os.hostname() || isSameProcessAlive(entry.owner)) continue;
      found.push({ entry, wasRunning: jobStillRunning(entry.job), file });
    }
    return found;
  }

  /** Whether the folder is this user's own, private folder (entries in any other are not trusted). */
  private trusted(): boolean {
    try {
      const info = lstatSync(this.dir);
      const mine = typeof process.getuid !== 'function' || info.uid === process.getuid();
      return info.isDirectory() && mine && (info.mode & 0o077) === 0;
    } catch {
      return false;
    }
  }
}

/** Whether group `pgid` has a live member (zombies, waiting for a parent that never reaps them, do not count). */
function groupRunning(pgid: number): boolean {
  const members = liveGroupMembers(pgid);
  return members === undefined ? groupExists(pgid) : members.length > 0;
}

/**
 * Whether the job's process group is still running and still the job's. A pid in use by another
 * process (another start time) means the group had emptied before the pid was given again; a
 * group whose leader is gone is the job's when members started after the leader did.
 */
function jobStillRunning(job: ProcessIdentity): boolean {
  if (isSameProcessAlive(job)) return true;
  const now = processStartTicks(job.pid); // readable for a zombie leader too
  if (now !== undefined && job.start !== undefined && now !== job.start) return false; // the pid names another process now
  const members = liveGroupMembers(job.pid, job.start);
  return members === undefined ? groupExists(job.pid) : members.length > 0;
}

async function readEntry(file: string): Promise<LedgerEntry | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<LedgerEntry>;
    const ok = (p: unknown): p is ProcessIdentity => typeof p === 'object' && p !== null && Number.isInteger((p as ProcessIdentity).pid);
    if (typeof value.host !== 'string' || !ok(value.owner) || !ok(value.job) || (value.job.pid as number) <= 1) return undefined;
    return value as LedgerEntry;
  } catch {
    return undefined;
  }
}

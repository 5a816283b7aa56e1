import os from 'node:os';
import { isProcessAlive, processStartTicks } from '@bioimageit/core';

/** When a process started (clock ticks since boot; core's, named here as this module always did). */
export { processStartTicks };

/**
 * The `--comment` every submission carries: `bioimageit:<host>:<pid>[:<start ticks>]` of the
 * process that submitted it, so a later process on the same host can tell jobs whose submitter died.
 */
export function ownerComment(host: string = os.hostname(), pid: number = process.pid, start: string | undefined = processStartTicks(pid)): string {
  return `bioimageit:${host}:${pid}${start === undefined ? '' : `:${start}`}`;
}

/** One line of `squeue --noheader --array --format=%i|%200k`: job or array task id (`12345_7`) and comment. */
export interface OwnedJob {
  readonly jobId: string;
  readonly comment: string;
}

/**
 * Jobs of `jobs` submitted by a BioImageIT process of `host` that is no longer alive: a CLI killed
 * with `kill -9` leaves them queued or running. `alive(pid, start)` says whether that process (the
 * pid, and its start time when the comment has one) still exists. Jobs of live processes (this one
 * included), of other hosts, or not ours are left alone. Each job id comes once.
 */
export function orphanedJobs(jobs: readonly OwnedJob[], host: string, alive: (pid: number, start: string | undefined) => boolean): string[] {
  const orphans = new Set<string>();
  const owner = new RegExp(`^bioimageit:${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)(?::(\\d+))?$`);
  for (const { jobId, comment } of jobs) {
    const match = owner.exec(comment);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid <= 0 || pid === process.pid || alive(pid, match[2])) continue;
    orphans.add(jobId);
  }
  return [...orphans];
}

/**
 * True when process `pid` exists (signal 0; EPERM: it exists under another user) and, when `start`
 * is given and readable here, started at that tick: a reused pid is another process, not alive.
 */
export function processAlive(pid: number, start?: string): boolean {
  if (!isProcessAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStartTicks(pid);
  return now === undefined || now === start;
}

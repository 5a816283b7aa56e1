import os from 'node:os';

/**
 * The `--comment` every submission carries: `bioimageit:<host>:<pid>` of the process that
 * submitted it, so a later process on the same host can tell jobs whose submitter died.
 */
export function ownerComment(host: string = os.hostname(), pid: number = process.pid): string {
  return `bioimageit:${host}:${pid}`;
}

/** One line of `squeue --noheader --array --format=%A|%k`: job (array job) id and comment. */
export interface OwnedJob {
  readonly jobId: string;
  readonly comment: string;
}

/**
 * Jobs of `jobs` submitted by a BioImageIT process of `host` that is no longer alive (its pid is
 * gone): a CLI killed with `kill -9` leaves them queued or running. Jobs of live processes (this
 * one included), of other hosts, or not ours are left alone; a pid reused by another process
 * counts as alive (never cancel what might still be watched). Array tasks come once, by array id.
 */
export function orphanedJobs(jobs: readonly OwnedJob[], host: string, alive: (pid: number) => boolean): string[] {
  const orphans = new Set<string>();
  const prefix = `bioimageit:${host}:`;
  for (const { jobId, comment } of jobs) {
    if (!comment.startsWith(prefix)) continue;
    const pid = Number(comment.slice(prefix.length));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    orphans.add(jobId);
  }
  return [...orphans];
}

/** True when a process with this pid exists (signal 0; EPERM: it exists under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

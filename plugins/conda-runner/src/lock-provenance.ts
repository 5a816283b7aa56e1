import { createHash } from 'node:crypto';
import type { LockedPackage } from './conda-lock.js';

/** sha256 (hex) of a lock's canonical JSON: equal digests, identical package lists. */
export function lockDigest(lock: readonly LockedPackage[]): string {
  return createHash('sha256').update(JSON.stringify(lock)).digest('hex');
}

/** How many (run, lock) pairs are remembered; older ones are forgotten (their runs are long over). */
const REMEMBERED = 10_000;

/**
 * Decides how much of a lock each job's provenance carries. Every job records the lock's
 * `lockSha256` and package count; the whole lock is recorded by the first job of a run that used
 * it, and the run's other jobs name that job (`lockIn`) instead of repeating a list that can be
 * hundreds of entries long in each of thousands of jobs. Jobs without a run id get the whole lock.
 */
export class LockProvenance {
  private readonly firstJob = new Map<string, string>();
  private readonly digests = new WeakMap<readonly LockedPackage[], string>();

  /** The lock facts of `job` for `lock`. */
  factsFor(job: { readonly id: string; readonly runId?: string }, lock: readonly LockedPackage[]): Record<string, unknown> {
    let digest = this.digests.get(lock);
    if (digest === undefined) {
      digest = lockDigest(lock);
      this.digests.set(lock, digest);
    }
    const base = { lockSha256: digest, packages: lock.length };
    if (job.runId === undefined) return { ...base, lock };
    const key = `${job.runId}\0${digest}`;
    const first = this.firstJob.get(key);
    if (first !== undefined && first !== job.id) return { ...base, lockIn: first };
    if (first === undefined) {
      if (this.firstJob.size >= REMEMBERED) this.firstJob.delete(this.firstJob.keys().next().value as string);
      this.firstJob.set(key, job.id);
    }
    return { ...base, lock };
  }
}

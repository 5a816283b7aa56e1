import type { SlurmSettings } from './slurm-settings.js';

interface Group<T> {
  readonly items: T[];
  idle?: NodeJS.Timeout;
  deadline?: NodeJS.Timeout;
}

/**
 * Gathers jobs that arrive close together into batches, one per group key (the runner's key is the
 * run id plus everything that must be equal across an array job: resources, time limit). A batch
 * is handed to `flush` once no job of its group arrived for `batchIdleMs`, `batchMaxWaitMs` after
 * its first job, or as soon as it holds `arrayMaxSize` jobs. The job engine starts a run's jobs
 * together (up to its `jobs` limit), so a run becomes a few array jobs instead of one submission
 * per job.
 */
export class SubmissionBatcher<T> {
  private readonly groups = new Map<string, Group<T>>();

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly settings: Pick<SlurmSettings, 'batchIdleMs' | 'batchMaxWaitMs' | 'arrayMaxSize'>,
  ) {}

  /** Queues `item` in the batch of `groupKey`. */
  add(groupKey: string, item: T): void {
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      group = { items: [] };
      this.groups.set(groupKey, group);
      const started = group;
      group.deadline = setTimeout(() => this.release(groupKey, started), this.settings.batchMaxWaitMs);
    }
    group.items.push(item);
    if (group.items.length >= this.settings.arrayMaxSize) {
      this.release(groupKey, group);
      return;
    }
    if (group.idle !== undefined) clearTimeout(group.idle);
    const current = group;
    group.idle = setTimeout(() => this.release(groupKey, current), this.settings.batchIdleMs);
  }

  /** Takes `item` back if its batch has not been handed over yet; true when it was. */
  remove(item: T): boolean {
    for (const [key, group] of this.groups) {
      const at = group.items.indexOf(item);
      if (at < 0) continue;
      group.items.splice(at, 1);
      if (group.items.length === 0) this.drop(key, group);
      return true;
    }
    return false;
  }

  /** Jobs waiting in batches not handed over yet. */
  get waiting(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.items.length;
    return n;
  }

  private release(key: string, group: Group<T>): void {
    if (this.groups.get(key) !== group) return;
    this.drop(key, group);
    if (group.items.length > 0) this.flush(group.items);
  }

  private drop(key: string, group: Group<T>): void {
    if (group.idle !== undefined) clearTimeout(group.idle);
    if (group.deadline !== undefined) clearTimeout(group.deadline);
    this.groups.delete(key);
  }
}

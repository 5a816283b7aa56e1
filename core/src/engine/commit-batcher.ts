import type { DataItem } from '../model/data-item.js';
import type { NewProcessedItem } from '../model/run.js';

/** When a batch is committed: after this many jobs, or this long after its first job. */
export interface BatchLimits {
  /** Default 50. */
  readonly maxJobs?: number;
  /** Default 250. */
  readonly maxDelayMs?: number;
}

interface Entry {
  readonly items: readonly NewProcessedItem[];
  readonly resolve: (items: readonly DataItem[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the outputs of finished jobs and commits them in few storage writes: one
 * `commit(items)` call per batch of up to `maxJobs` jobs or `maxDelayMs` milliseconds, so a run of
 * 1,000 jobs does not rewrite the dataset file 1,000 times. Batches are committed one at a time,
 * in order. When a batch fails, its jobs are retried one by one so that one bad job cannot fail the
 * others. `add` resolves with the job's committed items (in the order given) or rejects with the
 * commit error.
 */
export class CommitBatcher {
  private pending: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxJobs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly commit: (items: readonly NewProcessedItem[]) => Promise<readonly DataItem[]>,
    limits: BatchLimits = {},
  ) {
    this.maxJobs = Math.max(1, limits.maxJobs ?? 50);
    this.maxDelayMs = Math.max(0, limits.maxDelayMs ?? 250);
  }

  /** Queues one job's outputs; resolves once they are committed. */
  add(items: readonly NewProcessedItem[]): Promise<readonly DataItem[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      if (this.pending.length >= this.maxJobs) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.maxDelayMs);
    });
  }

  /** Commits whatever is queued now and resolves when every batch so far is settled. */
  flush(): Promise<void> {
    this.cut();
    return this.chain;
  }

  private cut(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.chain = this.chain.then(() => this.commitBatch(batch));
  }

  private async commitBatch(batch: readonly Entry[]): Promise<void> {
    try {
      const committed = await this.commit(batch.flatMap((e) => e.items));
      let at = 0;
      for (const entry of batch) {
        entry.resolve(committed.slice(at, at + entry.items.length));
        at += entry.items.length;
      }
    } catch (error) {
      if (batch.length === 1) return batch[0]?.reject(error);
      for (const entry of batch) {
        try {
          entry.resolve(await this.commit(entry.items));
        } catch (own) {
          entry.reject(own);
        }
      }
    }
  }
}

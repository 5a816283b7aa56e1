/**
 * Runs at most `limit` async tasks at once; the others wait, and start in the order `run` was
 * called. A settled task hands its place straight to the next waiting one, so no task that calls
 * `run` meanwhile can overtake the waiting ones or push the count over `limit`. A task that
 * throws (or rejects) frees its place like one that resolves; `run` settles as the task does.
 * Used to bound work such as image decodes (the server's previews, the thumbnails plugin).
 */
export class TaskLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** @throws RangeError when `limit` is not a positive integer. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer (got ${limit})`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a place. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `task` once fewer than `limit` tasks run (after those that called earlier); settles as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The place passes to the next waiting task as it is: `running` stays the same.
      if (next !== undefined) next();
      else this.running--;
    }
  }
}

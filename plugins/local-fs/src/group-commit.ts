/** How one request of a group commit ended. */
export type CommitOutcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Waiting<Q, R> {
  readonly request: Q;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers small write requests that arrive while the store is busy and commits them together in
 * one transaction (one lock, one index append), as databases group-commit their log. A request
 * is queued with {@link add}; the first one schedules a transaction, and every request waiting
 * when that transaction starts joins it. `commit` returns one outcome per request (a request
 * can fail alone); a transaction that fails as a whole (the lock cannot be taken, the store is
 * closed) rejects every request it took.
 */
export class GroupCommit<Q, R> {
  private waiting: Waiting<Q, R>[] = [];
  private scheduled = false;

  constructor(
    /** Runs `fn` as one write transaction of the store. */
    private readonly transaction: (fn: () => Promise<void>) => Promise<void>,
    /** Performs the requests inside the transaction, returning one outcome per request. */
    private readonly commit: (requests: readonly Q[]) => Promise<readonly CommitOutcome<R>[]>,
  ) {}

  /** Queues a request; resolves with its outcome once its transaction is done. */
  add(request: Q): Promise<R> {
    const done = new Promise<R>((resolve, reject) => this.waiting.push({ request, resolve, reject }));
    if (!this.scheduled) this.schedule();
    return done;
  }

  private schedule(): void {
    this.scheduled = true;
    let taken: Waiting<Q, R>[] | undefined;
    const take = (): Waiting<Q, R>[] => {
      this.scheduled = false;
      return this.waiting.splice(0);
    };
    this.transaction(async () => {
      taken = take();
      const outcomes = await this.commit(taken.map((w) => w.request));
      taken.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok === true) w.resolve(outcome.value);
        else w.reject(outcome === undefined ? new Error('group commit returned no outcome for a request') : outcome.error);
      });
    }).catch((error: unknown) => {
      taken ??= take();
      for (const w of taken) w.reject(error);
    });
  }
}

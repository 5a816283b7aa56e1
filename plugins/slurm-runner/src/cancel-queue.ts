import type { SlurmCli } from './slurm-cli.js';

/**
 * Coalesces cancellations: keys asked for within the same tick go out as one scancel call (and
 * SIGKILLs as one more), so cancelling a run of hundreds of jobs costs a couple of commands, not
 * hundreds. Failures are retried by the callers' own escalation; they are reported to `onError`.
 */
export class CancelQueue {
  private readonly pending = { term: new Set<string>(), kill: new Set<string>() };
  private scheduled = false;

  constructor(
    private readonly cli: Pick<SlurmCli, 'cancel'>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Asks SLURM to cancel `key` (SIGTERM, then SIGKILL after the cluster's KillWait), or to SIGKILL it now. */
  cancel(key: string, kill = false): void {
    (kill ? this.pending.kill : this.pending.term).add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const term = [...this.pending.term];
    const kill = [...this.pending.kill];
    this.pending.term.clear();
    this.pending.kill.clear();
    await Promise.all([
      term.length > 0 ? this.cli.cancel(term).catch(this.onError) : undefined,
      kill.length > 0 ? this.cli.cancel(kill, true).catch(this.onError) : undefined,
    ]);
  }
}

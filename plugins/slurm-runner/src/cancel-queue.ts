import type { CancelMode, SlurmCli } from './slurm-cli.js';

/**
 * Coalesces cancellations: keys asked for within the same tick go out as one scancel call per
 * mode, so cancelling a run of hundreds of jobs costs a few commands, not hundreds. Failures are
 * covered by the callers' own escalation; they are reported to `onError`.
 */
export class CancelQueue {
  private readonly pending = new Map<CancelMode, Set<string>>();
  private scheduled = false;

  constructor(
    private readonly cli: Pick<SlurmCli, 'cancel'>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Asks SLURM to stop `key` (see SlurmCli.cancel for the modes). */
  cancel(key: string, how: CancelMode = 'cancel'): void {
    let keys = this.pending.get(how);
    if (keys === undefined) {
      keys = new Set();
      this.pending.set(how, keys);
    }
    keys.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batches = [...this.pending].map(([how, keys]) => [how, [...keys]] as const);
    this.pending.clear();
    await Promise.all(batches.map(([how, keys]) => this.cli.cancel(keys, how).catch(this.onError)));
  }
}

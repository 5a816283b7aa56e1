import type { RunnerError } from '@bioimageit/core';
import type { SlurmCli } from './slurm-cli.js';
import type { QueueEntry } from './slurm-state.js';
import type { SlurmSettings } from './slurm-settings.js';

/** What a watcher is told on each poll: the job's line, or that the controller no longer lists it. */
export type QueueObservation = { readonly entry: QueueEntry } | { readonly missing: true } | { readonly error: RunnerError };

/** Receives the observations of one watched job or array task. */
export type QueueListener = (observation: QueueObservation) => void;

interface Watch {
  readonly jobId: string;
  readonly listener: QueueListener;
  lastState?: string;
  /** Polls that did not list the job (a freshly submitted job is always listed, so 2 in a row mean it is gone). */
  misses: number;
}

/** squeue failures in a row after which watchers are told (the controller may be restarting). */
const FAILURES_BEFORE_ERROR = 5;

/**
 * Watches submitted jobs with ONE squeue call per poll for every job this runner follows, however
 * many there are, so that a run of thousands of jobs does not hammer the controller. The interval
 * starts at `pollMinMs`, grows by half after each poll where no watched job changed state, up to
 * `pollMaxMs`, and drops back when a job changes state or a new job is watched. Polling stops when
 * nothing is watched.
 */
export class SlurmMonitor {
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private interval: number;
  private failures = 0;

  constructor(
    private readonly cli: Pick<SlurmCli, 'queue'>,
    private readonly settings: Pick<SlurmSettings, 'pollMinMs' | 'pollMaxMs'>,
  ) {
    this.interval = settings.pollMinMs;
  }

  /**
   * Follows one job (`12345`) or array task (`12345_7`, whose job id is `12345`) until the returned
   * function is called. The listener hears every poll's observation of it.
   */
  watch(key: string, listener: QueueListener): () => void {
    const jobId = key.split('_')[0] as string;
    const watch: Watch = { jobId, listener, misses: 0 };
    this.watches.set(key, watch);
    this.soon();
    return () => {
      if (this.watches.get(key) === watch) this.watches.delete(key);
      if (this.watches.size === 0 && this.timer !== undefined) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Polls at the shortest interval from now on (a job was submitted or cancelled). */
  soon(): void {
    this.interval = this.settings.pollMinMs;
    this.schedule();
  }

  /** Number of jobs and tasks being watched. */
  get size(): number {
    return this.watches.size;
  }

  private schedule(): void {
    if (this.polling || this.watches.size === 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), this.interval);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.watches.size === 0) return;
    this.polling = true;
    let changed = false;
    try {
      const jobIds = [...new Set([...this.watches.values()].map((w) => w.jobId))];
      const entries = new Map((await this.cli.queue(jobIds)).map((e) => [e.key, e]));
      this.failures = 0;
      for (const [key, watch] of [...this.watches]) {
        const entry = entries.get(key);
        if (entry === undefined) {
          watch.misses++;
          if (watch.misses >= 2) watch.listener({ missing: true });
          continue;
        }
        watch.misses = 0;
        if (entry.state !== watch.lastState) changed = true;
        watch.lastState = entry.state;
        watch.listener({ entry });
      }
    } catch (error) {
      this.failures++;
      if (this.failures >= FAILURES_BEFORE_ERROR) {
        this.failures = 0;
        for (const watch of [...this.watches.values()]) watch.listener({ error: error as RunnerError });
      }
    } finally {
      this.polling = false;
    }
    this.interval = changed ? this.settings.pollMinMs : Math.min(this.settings.pollMaxMs, Math.round(this.interval * 1.5));
    this.schedule();
  }
}

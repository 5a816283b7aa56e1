/** Progress of a run this server started, as `GET .../runs` and the event stream show it. */
export interface LiveRun {
  readonly runId: string;
  /** Experiment id (as the API names it). */
  readonly experiment: string;
  readonly tool: string;
  readonly dataset: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'partial';
  readonly jobCount: number;
  /** Jobs that ended (succeeded, failed, cancelled or cached). */
  readonly finished: number;
  readonly failed: number;
  /** 0..1: finished jobs plus the reported progress of running ones, over all jobs. */
  readonly fraction: number;
  /** Why the run failed, one line. */
  readonly error?: string;
}

/** One server-sent event: `run` (a run's state changed), `job` (a job started or ended), `log` (a progress line). */
export interface RunStreamEvent {
  readonly type: 'run' | 'job';
  readonly experiment: string;
  readonly runId: string;
  readonly data: unknown;
}

export type RunEventListener = (event: RunStreamEvent) => void;

/** Fan-out of run events to the open event streams; a throwing listener is dropped, never breaks a run. */
export class RunEventBus {
  private readonly listeners = new Set<RunEventListener>();

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: RunStreamEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

import { randomBytes } from 'node:crypto';

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

/**
 * One server-sent event: `run` (a run's state changed), `job` (a job started or ended), `import`
 * (an import's progress or end).
 */
export interface RunStreamEvent {
  readonly type: 'run' | 'job' | 'import';
  readonly experiment: string;
  /** The run's id; for `import` events, the import's. */
  readonly runId: string;
  readonly data: unknown;
}

/**
 * A published event with its place in the stream: `id` is `EPOCH-SEQ` (the SSE `id:` field), the
 * epoch naming this bus (one per server start) and the sequence number counting its events.
 */
export interface SequencedEvent extends RunStreamEvent {
  readonly id: string;
  readonly seq: number;
}

export type RunEventListener = (event: SequencedEvent) => void;

/**
 * What a client that reconnects with `Last-Event-ID` gets: the events after that id still held
 * (`events`), or a gap (`missed`): the id is older than the buffer (`expired`), from another
 * server start (`restarted`), or not an id this server wrote (`unknown`).
 */
export type Resumption = { readonly events: readonly SequencedEvent[] } | { readonly missed: 'expired' | 'restarted' | 'unknown' };

/** Events kept for clients that reconnect (by default). */
export const EVENT_REPLAY_LIMIT = 1000;

/**
 * Fan-out of run events to the open event streams; a throwing listener is dropped, never breaks a
 * run. Every event gets the next sequence number, and the last {@link capacity} events are kept
 * so that a client that lost its connection can get the ones it missed (see {@link since}).
 */
export class RunEventBus {
  /** Names this bus in event ids, so that an id from before a restart is told apart. */
  readonly epoch = randomBytes(6).toString('base64url').replace(/-/g, 'x');
  private readonly listeners = new Set<RunEventListener>();
  private readonly kept: SequencedEvent[] = [];
  private seq = 0;

  constructor(readonly capacity = EVENT_REPLAY_LIMIT) {}

  subscribe(listener: RunEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: RunStreamEvent): SequencedEvent {
    const seq = ++this.seq;
    const sequenced: SequencedEvent = { ...event, id: `${this.epoch}-${seq}`, seq };
    this.kept.push(sequenced);
    if (this.kept.length > this.capacity) this.kept.splice(0, this.kept.length - this.capacity);
    for (const listener of [...this.listeners]) {
      try {
        listener(sequenced);
      } catch {
        this.listeners.delete(listener);
      }
    }
    return sequenced;
  }

  /** The id of the last event published (`EPOCH-0` before the first). */
  get lastId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  /** The events published after the one `lastEventId` names, or why they cannot be given. */
  since(lastEventId: string): Resumption {
    const m = /^([\w]+)-(\d+)$/.exec(lastEventId.trim());
    if (m === null) return { missed: 'unknown' };
    if (m[1] !== this.epoch) return { missed: 'restarted' };
    const last = Number(m[2]);
    if (last > this.seq) return { missed: 'unknown' };
    const oldest = this.kept[0]?.seq ?? this.seq + 1;
    if (last + 1 < oldest) return { missed: 'expired' };
    return { events: this.kept.filter((e) => e.seq > last) };
  }

  get size(): number {
    return this.listeners.size;
  }
}

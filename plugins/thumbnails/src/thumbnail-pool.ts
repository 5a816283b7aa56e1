import { Worker } from 'node:worker_threads';
import type { FormatMetadata } from '@bioimageit/core';
import type { RenderOptions } from './render-thumbnail.js';

/** One thumbnail for a worker to draw: the image file, its format id (a built-in codec) and how to draw it. */
export interface DrawJob {
  readonly id: number;
  readonly path: string;
  readonly format: string;
  /** The item's recorded metadata (axes, shape, channels): the channel count and colours. */
  readonly metadata?: Pick<FormatMetadata, 'shape' | 'axes' | 'channels'>;
  readonly render: RenderOptions;
}

/** What a worker sends back for a {@link DrawJob}: the PNG, or why there is none (one message). */
export type DrawReply = { readonly id: number; readonly png: Uint8Array } | { readonly id: number; readonly error: string };

interface Pending {
  readonly resolve: (png: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly jobs: Map<number, Pending>;
}

/**
 * Thumbnails drawn off the calling thread: up to `size` worker threads (thumbnail-worker.ts), each
 * taking several jobs at once (their file reads overlap); a job goes to the least busy worker, and
 * a new worker is started only while every running one is busy. Workers do not keep the process
 * alive, and stop once no job has been in flight for `idleMs` (a later job starts them again) or
 * at {@link close}. A worker that dies fails its jobs (each one's own error) and is replaced by the
 * next job.
 */
export class ThumbnailPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;

  constructor(
    private readonly size: number,
    private readonly idleMs = 10_000,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a thumbnail pool needs at least one worker (got ${size})`);
  }

  /** Draws `job` in a worker; rejects with the worker's error message. */
  draw(job: Omit<DrawJob, 'id'>): Promise<Uint8Array> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const id = this.nextId++;
    const slot = this.pick();
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      slot.worker.postMessage({ ...job, id } satisfies DrawJob);
    });
  }

  /** Stops every worker; jobs in flight are failed. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    await Promise.all(this.slots.splice(0).map((slot) => this.stop(slot, 'the thumbnail workers were shut down')));
  }

  private pick(): Slot {
    let best: Slot | undefined;
    for (const slot of this.slots) if (best === undefined || slot.jobs.size < best.jobs.size) best = slot;
    if (best !== undefined && (best.jobs.size === 0 || this.slots.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): Slot {
    const worker = startWorker();
    worker.unref();
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (reply: DrawReply) => this.settle(slot, reply));
    worker.on('error', (error) => this.lose(slot, `the thumbnail worker failed: ${error.message}`));
    worker.on('exit', (code) => this.lose(slot, `the thumbnail worker stopped (exit code ${code})`));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, reply: DrawReply): void {
    const pending = slot.jobs.get(reply.id);
    if (pending === undefined) return;
    slot.jobs.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve(reply.png);
    this.idleCheck();
  }

  /** Forgets a worker that failed or stopped, failing its jobs with `why`. */
  private lose(slot: Slot, why: string): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    this.fail(slot, why);
    this.idleCheck();
  }

  private async stop(slot: Slot, why: string): Promise<void> {
    this.fail(slot, why);
    await slot.worker.terminate();
  }

  private fail(slot: Slot, why: string): void {
    for (const pending of slot.jobs.values()) pending.reject(new Error(why));
    slot.jobs.clear();
  }

  /** Once no job is in flight, stops the workers after `idleMs` unless a job comes first. */
  private idleCheck(): void {
    if (this.idleTimer !== undefined || this.slots.length === 0 || this.slots.some((slot) => slot.jobs.size > 0)) return;
    this.idleTimer = setTimeout(() => void this.close(), this.idleMs);
    this.idleTimer.unref();
  }
}

/**
 * The worker from its built `.js` file, or from its TypeScript source through tsx when running
 * from source (tests, `tsx`). `workerData` is always an object: geotiff's `web-worker` dependency,
 * imported in any worker thread, destructures it and throws on undefined.
 */
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(new URL('./thumbnail-worker.js', import.meta.url), { workerData: {} });
  return new Worker(new URL('./thumbnail-worker-dev.mjs', import.meta.url), {
    workerData: { entry: new URL('./thumbnail-worker.ts', import.meta.url).href },
    execArgv: ['--conditions=source'],
  });
}

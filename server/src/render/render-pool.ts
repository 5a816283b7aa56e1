import { Worker } from 'node:worker_threads';
import { FormatError, type FormatErrorCode } from '@bioimageit/core';
import { ApiError, type ApiErrorCode } from '../api-error.js';
import type { RenderJob, RenderResult } from './render-job.js';

/** What a worker sends back. */
type WorkerReply =
  { id: number; result: RenderResult } | { id: number; error: { kind: string; code?: string; message: string; details?: Record<string, unknown> } };

interface Pending {
  readonly id: number;
  readonly job: RenderJob;
  readonly resolve: (result: RenderResult) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
  timer?: NodeJS.Timeout;
}

/**
 * Preview decoding off the server's event loop: `size` worker threads (preview-worker.ts), each
 * running one {@link RenderJob} at a time; further jobs wait in arrival order, so at most `size`
 * images are decoded at once and no request thread ever decodes pixels. A job that runs past
 * `deadlineMs` has its worker terminated (stopping the decode) and is refused with ApiError
 * UNAVAILABLE; a worker that dies is replaced. Errors come back as the kernel's FormatError
 * (TOO_LARGE, CORRUPT…), RangeError for indices outside the image, or Error.
 */
export class RenderPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly deadlineMs: number,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a render pool needs at least one worker (got ${size})`);
  }

  /** Runs a job (draws a preview, or finds the display windows of an image) in a worker. */
  run<R extends RenderResult = RenderResult>(job: RenderJob): Promise<R> {
    if (this.closed) return Promise.reject(new ApiError('UNAVAILABLE', 'the preview workers are shut down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve: resolve as (result: RenderResult) => void, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running jobs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new ApiError('UNAVAILABLE', 'the server is shutting down'));
    await Promise.all(
      this.slots.splice(0).map(async (slot) => {
        clearTimeout(slot.timer);
        slot.busy?.reject(new ApiError('UNAVAILABLE', 'the server is shutting down'));
        await slot.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === undefined);
      if (slot === undefined && this.slots.length < this.size) slot = this.spawn();
      if (slot === undefined) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.timer = setTimeout(() => this.expire(slot), this.deadlineMs);
      slot.worker.postMessage({ id: pending.id, job: pending.job });
    }
  }

  private spawn(): Slot {
    const worker = startWorker();
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => this.settle(slot, reply));
    worker.on('error', (error) => this.lose(slot, new ApiError('UNAVAILABLE', `the preview worker failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.lose(slot, new ApiError('UNAVAILABLE', `the preview worker stopped (exit code ${code})`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(slot: Slot, reply: WorkerReply): void {
    const pending = slot.busy;
    if (pending === undefined || pending.id !== reply.id) return;
    clearTimeout(slot.timer);
    slot.busy = undefined;
    if ('error' in reply) pending.reject(rebuild(reply.error));
    else pending.resolve(reply.result);
    this.dispatch();
  }

  private expire(slot: Slot): void {
    const pending = slot.busy;
    if (pending === undefined) return;
    this.lose(slot, new ApiError('UNAVAILABLE', `drawing the preview of ${pending.job.path} took over ${this.deadlineMs / 1000} s and was stopped`));
    void slot.worker.terminate();
  }

  /** Forgets a worker that failed or was stopped; its job is refused with `error`, the queue goes on with a new worker. */
  private lose(slot: Slot, error: unknown): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    clearTimeout(slot.timer);
    slot.busy?.reject(error);
    slot.busy = undefined;
    if (!this.closed) this.dispatch();
  }
}

/**
 * The worker from its built `.js` file, or from its TypeScript source through tsx when running from
 * source (or from `entry`, a built worker file, in tests). It always gets `workerData`: geotiff's
 * `web-worker` dependency reads `workerData.mod` in any worker thread and throws when there is none.
 */
export function startWorker(entry?: URL): Worker {
  const fromSource = entry === undefined && import.meta.url.endsWith('.ts');
  if (entry !== undefined) return new Worker(entry, { workerData: {}, execArgv: [] }); // as installed: no source conditions, no tsx
  if (!fromSource) return new Worker(new URL('./preview-worker.js', import.meta.url), { workerData: {} });
  return new Worker(new URL('./preview-worker-dev.mjs', import.meta.url), {
    workerData: { entry: new URL('./preview-worker.ts', import.meta.url).href },
    execArgv: ['--conditions=source'],
  });
}

function rebuild(error: { kind: string; code?: string; message: string; details?: Record<string, unknown> }): Error {
  if (error.kind === 'FormatError') return new FormatError(error.code as FormatErrorCode, error.message, { details: error.details ?? {} });
  if (error.kind === 'ApiError') return new ApiError(error.code as ApiErrorCode, error.message, { details: error.details ?? {} });
  if (error.kind === 'RangeError') return new RangeError(error.message);
  return new Error(error.message);
}

import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DockerApiError, type DockerEngineClient } from './docker-engine-client.js';
import { DockerStreamDemuxer, type DemuxSink } from './docker-stream-demuxer.js';

/** How a started container ended, as `wait` and `inspect` tell it. */
export interface ContainerExit {
  /** The main process's exit status (128 + N when a signal N killed it). */
  readonly statusCode: number;
  /** True when the kernel's OOM killer stopped the container (its memory limit was reached). */
  readonly oomKilled: boolean;
  /** The daemon's error text about the wait, when it gave one. */
  readonly error?: string;
}

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/**
 * One container's life through the Engine API: created by the caller, then attached (output
 * demultiplexed into a sink), waited on (the wait is registered before start so no exit is
 * missed), started, killed on demand and removed. Every method names the container in errors
 * through {@link DockerApiError}'s endpoint.
 */
export class ContainerLifecycle {
  private attachDone: Promise<void> | undefined;
  private attachStream: Readable | undefined;
  private waitStream: Readable | undefined;
  private started = false;
  private removed: Promise<void> | undefined;

  constructor(
    private readonly client: DockerEngineClient,
    /** The container's id. */
    readonly id: string,
  ) {}

  /**
   * Attaches to stdout and stderr and registers a wait for the next exit; both requests have their
   * headers back (the daemon is listening) when this resolves. Output flows into `sink` until the
   * container's streams close.
   */
  async prepare(sink: DemuxSink): Promise<void> {
    const [attach, wait] = await Promise.allSettled([
      this.client.stream('POST', `/containers/${this.id}/attach`, { query: { stream: 1, stdout: 1, stderr: 1, logs: 0 } }),
      this.client.stream('POST', `/containers/${this.id}/wait`, { query: { condition: 'next-exit' } }),
    ]);
    if (attach.status === 'fulfilled') {
      this.attachStream = attach.value;
      this.attachDone = pipeline(attach.value, new DockerStreamDemuxer(sink)).catch(() => undefined);
    }
    if (wait.status === 'fulfilled') this.waitStream = wait.value;
    if (attach.status === 'rejected') throw attach.reason;
    if (wait.status === 'rejected') throw wait.reason;
  }

  /** Starts the container (its wait and attach must be prepared). */
  async start(): Promise<void> {
    await this.client.json('POST', `/containers/${this.id}/start`);
    this.started = true;
  }

  /**
   * Waits for the container to exit; reads `OOMKilled` when it exited non-zero. Rejects with the
   * transport error when the daemon stopped answering meanwhile (it kills containers as it stops).
   */
  async exit(): Promise<ContainerExit> {
    if (this.waitStream === undefined) throw new Error(`container ${this.id} was not prepared`);
    const text = await readAll(this.waitStream);
    const answer = JSON.parse(text) as { StatusCode?: number; Error?: { Message?: string } | null };
    const statusCode = answer.StatusCode ?? -1;
    const error = answer.Error?.Message;
    let oomKilled = false;
    if (statusCode !== 0) {
      // A daemon that stops kills its containers (137): a transport error here means it is gone.
      const inspect = await this.client.json<{ State?: { OOMKilled?: boolean } }>('GET', `/containers/${this.id}/json`).catch((error: unknown) => {
        if (error instanceof DockerApiError) return undefined;
        throw error;
      });
      oomKilled = inspect?.State?.OOMKilled === true;
    }
    return { statusCode, oomKilled, ...(error !== undefined && error !== '' && { error }) };
  }

  /** Resolves once all output reached the sink, or after `boundMs` (then the stream is dropped). */
  async drained(boundMs: number): Promise<void> {
    if (this.attachDone === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.attachStream?.destroy();
        resolve();
      }, boundMs);
    });
    await Promise.race([this.attachDone, bound]);
    clearTimeout(timer);
  }

  /** Sends SIGKILL to everything in the container; a container that is not running is fine. */
  async kill(): Promise<void> {
    if (!this.started) return;
    try {
      await this.client.json('POST', `/containers/${this.id}/kill`, { query: { signal: 'SIGKILL' } });
    } catch (error) {
      if (error instanceof DockerApiError && (error.status === 409 || error.status === 404)) return;
      throw error;
    }
  }

  /** Removes the container (forcing, with its anonymous volumes) once; closes open streams. */
  remove(): Promise<void> {
    this.removed ??= (async () => {
      this.attachStream?.destroy();
      this.waitStream?.destroy();
      try {
        await this.client.json('DELETE', `/containers/${this.id}`, { query: { force: true, v: true } });
      } catch (error) {
        if (error instanceof DockerApiError && error.status === 404) return;
        throw error;
      }
    })();
    return this.removed;
  }
}

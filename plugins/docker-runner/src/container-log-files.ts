import { createWriteStream, type WriteStream } from 'node:fs';
import type { RunnerJob, RunnerStream } from '@bioimageit/core';
import type { DemuxedStream } from './docker-stream-demuxer.js';

/** Opens `file` for appending (creating it); resolves once the descriptor is open. */
function openAppend(file: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(file, { flags: 'a' });
    stream.once('open', () => resolve(stream));
    stream.once('error', reject);
  });
}

/**
 * A job's two log files, opened for appending (created when missing, even if the tool writes
 * nothing). Container output is written to them with back-pressure, after the job's `onOutput`
 * tap saw it. When both paths are the same file, one descriptor serves both streams so that
 * lines keep their order.
 */
export class ContainerLogFiles {
  private constructor(
    private readonly sinks: Readonly<Record<RunnerStream, WriteStream>>,
    private readonly onOutput: RunnerJob['onOutput'],
  ) {}

  /** Opens both files; rejects with the file-system error (naming the path) when one cannot be opened. */
  static async open(job: Pick<RunnerJob, 'stdoutPath' | 'stderrPath' | 'onOutput'>): Promise<ContainerLogFiles> {
    const same = job.stdoutPath === job.stderrPath;
    const opened = await Promise.allSettled(same ? [openAppend(job.stdoutPath)] : [openAppend(job.stdoutPath), openAppend(job.stderrPath)]);
    const failed = opened.find((h): h is PromiseRejectedResult => h.status === 'rejected');
    const streams = opened.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []));
    if (failed !== undefined) {
      for (const s of streams) s.destroy();
      throw failed.reason;
    }
    for (const s of streams) s.on('error', () => undefined); // a failing log write must not crash the host
    const stdout = streams[0] as WriteStream;
    return new ContainerLogFiles({ stdout, stderr: streams[1] ?? stdout }, job.onOutput);
  }

  /** Writes one payload of container output; resolves when the file accepts more. */
  write(stream: DemuxedStream, payload: Buffer): Promise<void> | void {
    if (this.onOutput !== undefined) {
      try {
        this.onOutput(stream, payload);
      } catch {
        // a failing progress tap must not break the job
      }
    }
    const sink = this.sinks[stream];
    if (sink.write(payload)) return;
    return new Promise((resolve) => {
      const done = (): void => {
        sink.off('drain', done);
        sink.off('close', done);
        resolve();
      };
      sink.once('drain', done);
      sink.once('close', done);
    });
  }

  /** Adds a line of the runner's own to the stderr log (e.g. why the container was killed). */
  note(line: string): Promise<void> | void {
    return this.write('stderr', Buffer.from(`${line}\n`));
  }

  /** Flushes and closes both files. */
  async close(): Promise<void> {
    const unique = [...new Set(Object.values(this.sinks))];
    await Promise.all(
      unique.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.closed) return resolve();
            s.once('close', () => resolve());
            s.end();
          }),
      ),
    );
  }
}

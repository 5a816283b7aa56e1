import { open, type FileHandle } from 'node:fs/promises';

/** Characters of stderr kept for {@link TaskLogForwarder.stderrTail}. */
const TAIL_CHARS = 4096;

/** Bytes read from a SLURM output file per read call. */
const CHUNK = 1024 * 1024;

/** Where one stream's bytes come from (SLURM's output file) and go to (the job's log file). */
interface Stream {
  readonly name: 'stdout' | 'stderr';
  readonly source: string;
  readonly target: FileHandle;
  offset: number;
}

/**
 * Copies what a SLURM task wrote to its output files (in the shared batch folder) into the job's
 * own log files, appending, and hands each chunk to the job's `onOutput` tap first. `pump` copies
 * what is new since the last call: the runner calls it on polls while the task runs (when someone
 * watches progress) and once more when it ended. Output is streamed, never held whole in memory.
 */
export class TaskLogForwarder {
  private queue: Promise<void> = Promise.resolve();
  private tail = '';

  private constructor(
    private readonly streams: readonly Stream[],
    private readonly onOutput: ((stream: 'stdout' | 'stderr', chunk: Uint8Array) => void) | undefined,
  ) {}

  /** Opens (creating when missing) the job's two log files for appending. */
  static async open(
    sources: { readonly stdout: string; readonly stderr: string },
    targets: { readonly stdoutPath: string; readonly stderrPath: string },
    onOutput?: (stream: 'stdout' | 'stderr', chunk: Uint8Array) => void,
  ): Promise<TaskLogForwarder> {
    const stdout = await open(targets.stdoutPath, 'a');
    let stderr: FileHandle;
    try {
      stderr = await open(targets.stderrPath, 'a');
    } catch (error) {
      await stdout.close();
      throw error;
    }
    return new TaskLogForwarder(
      [
        { name: 'stdout', source: sources.stdout, target: stdout, offset: 0 },
        { name: 'stderr', source: sources.stderr, target: stderr, offset: 0 },
      ],
      onOutput,
    );
  }

  /** The last few KB the task wrote to stderr (where slurmstepd reports why it killed a job). */
  get stderrTail(): string {
    return this.tail;
  }

  /** Copies what the task wrote since the last pump; calls are serialized. */
  pump(): Promise<void> {
    this.queue = this.queue.then(() => this.copyAll());
    return this.queue;
  }

  /** Copies the rest and closes the job's log files. */
  async close(): Promise<void> {
    try {
      await this.pump();
    } finally {
      await Promise.all(this.streams.map((s) => s.target.close().catch(() => undefined)));
    }
  }

  private async copyAll(): Promise<void> {
    for (const stream of this.streams) await this.copy(stream);
  }

  private async copy(stream: Stream): Promise<void> {
    let source: FileHandle;
    try {
      source = await open(stream.source, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const buffer = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, CHUNK, stream.offset);
        if (bytesRead === 0) return;
        const chunk = buffer.subarray(0, bytesRead);
        if (this.onOutput !== undefined) {
          try {
            this.onOutput(stream.name, new Uint8Array(chunk));
          } catch {
            // a failing progress tap must not lose log output
          }
        }
        await stream.target.write(chunk);
        if (stream.name === 'stderr') this.tail = (this.tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
        stream.offset += bytesRead;
      }
    } finally {
      await source.close();
    }
  }
}

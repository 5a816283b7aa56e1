import { closeSync, createReadStream, createWriteStream, fstatSync, openSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExperimentStore } from '../extension-points/storage-backend.js';

/** Which streams a log slice covers. */
export type LogStream = 'stdout' | 'stderr';

/** The bytes one job appended to a worker's log files: `[start, end)` per stream. */
export interface LogSlice {
  readonly stdout: readonly [number, number];
  readonly stderr: readonly [number, number];
}

/**
 * The log files of one worker of a run, shared by its jobs one after another. Runners append to
 * the log files they are given (creating them when missing), so a worker hands the same two files
 * to each of its jobs and notes the sizes before and after each job: the job's log is the bytes
 * in between. Creating two files per job is what dominates the per-job cost on many file systems;
 * this way a run creates two per worker, and a job's log is only written out on its own when it
 * is kept (see {@link extract}).
 */
export class WorkerLogs {
  private folder: string | undefined;
  private sizes = { stdout: 0, stderr: 0 };
  /** Our own descriptors of the two files, for sizes (fstat on an open file costs microseconds). */
  private fds: { stdout: number; stderr: number } | undefined;

  constructor(
    private readonly store: ExperimentStore,
    private readonly label: string,
  ) {}

  /** Paths of the two log files (the folder is made on first use). */
  async paths(): Promise<{ stdout: string; stderr: string }> {
    this.folder ??= await this.store.createStagingDir(this.label);
    const paths = { stdout: join(this.folder, 'stdout.log'), stderr: join(this.folder, 'stderr.log') };
    this.fds ??= { stdout: openSync(paths.stdout, 'a'), stderr: openSync(paths.stderr, 'a') };
    return paths;
  }

  /** After a job: the bytes it appended to each file since the previous job ended. */
  async slice(): Promise<LogSlice> {
    await this.paths();
    const fds = this.fds as { stdout: number; stderr: number };
    const [out, err] = [fstatSync(fds.stdout).size, fstatSync(fds.stderr).size];
    const slice: LogSlice = { stdout: [this.sizes.stdout, out], stderr: [this.sizes.stderr, err] };
    this.sizes = { stdout: Math.max(out, this.sizes.stdout), stderr: Math.max(err, this.sizes.stderr) };
    return slice;
  }

  /** Writes a job's part of one stream into a new file `name` beside the worker's logs; returns its path. */
  async extract(stream: LogStream, slice: LogSlice, name: string): Promise<string> {
    const [start, end] = slice[stream];
    const source = (await this.paths())[stream];
    const target = join(this.folder as string, name);
    const out = createWriteStream(target);
    if (end <= start) await new Promise<void>((resolve, reject) => out.once('error', reject).end(() => resolve()));
    else await pipeline(createReadStream(source, { start, end: end - 1 }), out);
    return target;
  }

  /** Closes the files and removes the worker's folder. */
  async dispose(): Promise<void> {
    if (this.fds !== undefined) for (const fd of Object.values(this.fds)) closeSync(fd);
    this.fds = undefined;
    if (this.folder !== undefined) await rm(this.folder, { recursive: true, force: true }).catch(() => undefined);
  }
}

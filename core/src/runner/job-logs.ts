import type { ChildProcess } from 'node:child_process';
import { close, createWriteStream, open, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RunnerJob, RunnerStream } from '../extension-points/runner.js';

/** The stdio spec handed to `spawn`: stdin is always empty. */
export type JobStdio = ['ignore', number | 'pipe', number | 'pipe'];

/**
 * The two log files of a running job.
 *
 * Without `onOutput`, the files are opened in append mode and their descriptors are handed to the
 * tool itself: the tool (and its children) write straight to disk, nothing passes through this
 * process and nothing is buffered. With `onOutput`, output is piped through this process, handed
 * to the callback chunk by chunk and streamed to the files with back-pressure.
 */
export interface JobLogs {
  readonly stdio: JobStdio;
  /** Called right after spawn: closes our copies of the descriptors or starts piping. */
  attach(child: ChildProcess): void;
  /**
   * Resolves once everything is on disk and closed (also when {@link attach} never ran because the
   * job did not start); waits at most `boundMs` for pipes to end.
   */
  finish(boundMs: number): Promise<void>;
}

/** Opens (creating, appending) the job's stdout and stderr log files. Throws the fs error. */
export async function openJobLogs(job: RunnerJob): Promise<JobLogs> {
  if (job.onOutput !== undefined) return pipedLogs(job, job.onOutput);
  const [out, err] = await openBoth(job.stdoutPath, job.stderrPath, job.stdoutPath === job.stderrPath);
  return directLogs(out, err);
}

// Raw descriptors and callback fs: this is the per-job hot path, FileHandle objects cost more.
const openAppend = (file: string): Promise<number> => new Promise((resolve, reject) => open(file, 'a', (e, fd) => (e === null ? resolve(fd) : reject(e))));
const closeFd = (fd: number): Promise<void> => new Promise((resolve) => close(fd, () => resolve()));

async function openBoth(outPath: string, errPath: string, share: boolean): Promise<[number, number]> {
  if (share) {
    const one = await openAppend(outPath);
    return [one, one];
  }
  const opened = await Promise.allSettled([openAppend(outPath), openAppend(errPath)]);
  const [out, err] = opened;
  if (out.status === 'fulfilled' && err.status === 'fulfilled') return [out.value, err.value];
  for (const r of opened) if (r.status === 'fulfilled') await closeFd(r.value);
  throw out.status === 'rejected' ? out.reason : (err as PromiseRejectedResult).reason;
}

function directLogs(out: number, err: number): JobLogs {
  let closing: Promise<unknown> | undefined;
  const closeAll = (): Promise<unknown> => (out === err ? closeFd(out) : Promise.all([closeFd(out), closeFd(err)]));
  return {
    stdio: ['ignore', out, err],
    attach() {
      closing = closeAll(); // the child holds its own duplicates
    },
    async finish() {
      await (closing ??= closeAll());
    },
  };
}

async function pipedLogs(job: RunnerJob, onOutput: NonNullable<RunnerJob['onOutput']>): Promise<JobLogs> {
  const [out, err] = await openBoth(job.stdoutPath, job.stderrPath, false);
  const sinks: WriteStream[] = [createWriteStream('', { fd: out }), createWriteStream('', { fd: err })];
  const done: Promise<void>[] = sinks.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve())));
  for (const s of sinks) s.on('error', () => undefined); // a failing log write must not crash the host; 'close' still follows
  let sources: Readable[] = [];
  const tap = (stream: RunnerStream) => (chunk: Buffer) => {
    try {
      onOutput(stream, chunk);
    } catch {
      // a failing progress tap must not break the job
    }
  };
  return {
    stdio: ['ignore', 'pipe', 'pipe'],
    attach(child) {
      sources = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
      const names: RunnerStream[] = ['stdout', 'stderr'];
      sources.forEach((source, i) => {
        source.on('data', tap(names[i] as RunnerStream));
        source.pipe(sinks[i] as WriteStream);
      });
    },
    async finish(boundMs) {
      if (sources.length === 0) for (const s of sinks) s.end(); // never attached, or no pipes
      // A process that escaped the job's group may hold a pipe open: stop waiting after the bound.
      const bound = setTimeout(() => {
        for (const s of sources) s.destroy();
        for (const s of sinks) s.end();
      }, boundMs);
      await Promise.all(done);
      clearTimeout(bound);
    },
  };
}

import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * What import learns of one source file before parsing it: its size, and for a file of at most
 * the asked limit its bytes and sha256 (a larger one is left to be read as a stream); or why it
 * could not be read (Node's message, which names the file).
 */
export type SourceRead =
  | { readonly size: number; readonly bytes: Uint8Array; readonly sha256: string }
  | { readonly size: number; readonly bytes?: undefined; readonly sha256?: undefined }
  | { readonly error: { readonly code?: string; readonly message: string } };

/** Below this many files a batch is read on the caller's thread (asynchronously). */
const THREADS_FROM = 32;

// A reader thread: for each path, open, size, read whole when small enough, hash, close; all
// synchronously (a few syscalls), so a thread costs the importer's thread nothing while the disk
// answers. Bytes go back transferred, not copied.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, paths, limit }) => {
  const results = [];
  const transfer = [];
  for (const path of paths) {
    let fd;
    try {
      fd = openSync(path, 'r');
      const size = fstatSync(fd).size;
      if (size > limit) { results.push({ size }); continue; }
      const bytes = new Uint8Array(new ArrayBuffer(size));
      let done = 0;
      while (done < size) {
        const n = readSync(fd, bytes, done, size - done, done);
        if (n === 0) break;
        done += n;
      }
      const whole = done === size ? bytes : bytes.slice(0, done);
      results.push({ size: done, bytes: whole, sha256: createHash('sha256').update(whole).digest('hex') });
      transfer.push(whole.buffer);
    } catch (e) {
      results.push({ error: { code: e && e.code, message: String(e && e.message) } });
    } finally {
      if (fd !== undefined) try { closeSync(fd); } catch {}
    }
  }
  parentPort.postMessage({ id, results }, transfer);
});
`;

interface Reply {
  readonly id: number;
  readonly results: SourceRead[];
}

/** The reader threads, started on first use, never keeping the process alive while idle. */
class ReaderPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (r: SourceRead[]) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 0;
  private readonly busy = new Map<Worker, number>();

  /** Threads: enough to keep a disk busy with small reads, not more than the machine can run. */
  private readonly size = Math.max(2, Math.min(4, availableParallelism()));

  read(paths: readonly string[], limit: number): Promise<SourceRead[]> {
    const worker = this.pick();
    const id = this.nextId++;
    return new Promise<SourceRead[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker });
      this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
      worker.ref();
      worker.postMessage({ id, paths, limit });
    });
  }

  private pick(): Worker {
    if (this.workers.length < this.size) return this.start();
    let best = this.workers[0] as Worker;
    for (const worker of this.workers) if ((this.busy.get(worker) ?? 0) < (this.busy.get(best) ?? 0)) best = worker;
    return best;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], name: 'bioimageit import reader' });
    worker.unref();
    worker.on('message', ({ id, results }: Reply) => {
      const pending = this.waiting.get(id);
      this.waiting.delete(id);
      const left = (this.busy.get(worker) ?? 1) - 1;
      this.busy.set(worker, left);
      if (left === 0) worker.unref();
      pending?.resolve(results);
    });
    const fail = (error: Error) => {
      this.workers.splice(this.workers.indexOf(worker), 1);
      this.busy.delete(worker);
      for (const [id, pending] of this.waiting) {
        if (pending.worker !== worker) continue;
        this.waiting.delete(id);
        pending.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`an import reader thread exited (code ${code})`)));
    this.workers.push(worker);
    return worker;
  }
}

let pool: ReaderPool | undefined;

/**
 * Reads the source files `paths` for import: sizes, and bytes and sha256 of those of at most
 * `limit` bytes, one result per path in order (an unreadable file gets its error, the others are
 * still read). A large batch is split over a few reader threads, so the disk serves several reads
 * at once and the caller's thread only receives the bytes (transferred) to parse.
 */
export async function readSources(paths: readonly string[], limit: number): Promise<SourceRead[]> {
  if (paths.length < THREADS_FROM) return Promise.all(paths.map((path) => readHere(path, limit)));
  pool ??= new ReaderPool();
  const parts = Math.min(4, Math.ceil(paths.length / THREADS_FROM));
  const per = Math.ceil(paths.length / parts);
  const chunks: Promise<SourceRead[]>[] = [];
  for (let start = 0; start < paths.length; start += per) chunks.push((pool as ReaderPool).read(paths.slice(start, start + per), limit));
  return (await Promise.all(chunks)).flat();
}

async function readHere(path: string, limit: number): Promise<SourceRead> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > limit) return { size };
      const bytes = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const { bytesRead } = await handle.read(bytes, done, size - done, done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      const whole = done === size ? bytes : bytes.slice(0, done);
      return { size: done, bytes: whole, sha256: createHash('sha256').update(whole).digest('hex') };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { error: { ...(e.code !== undefined && { code: e.code }), message: e.message ?? String(error) } };
  }
}

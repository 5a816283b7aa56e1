import { writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** One file to create: its absolute path and its whole text. */
export type NewSmallFile = readonly [path: string, text: string];

/** What {@link createSmallFiles} did: the indexes of the files whose name was taken (EEXIST), which it left alone. */
export interface SmallFilesResult {
  readonly existing: readonly number[];
}

/** A file that could not be created: its path, and the error's code and message. */
export class SmallFileError extends Error {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'SmallFileError';
  }
}

/**
 * From this many files on, a batch goes to the writer thread: creating a file costs the caller's
 * thread 15-300 µs in the kernel (more while the file system's journal is busy), which the
 * thread then cannot spend on anything else (an import describes its next files meanwhile).
 */
const THREAD_FROM = 256;

// The writer thread: creates each file exclusively (`wx`), synchronously, in order; a taken
// name is reported and skipped, any other error stops the batch and is reported with its path.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
parentPort.on('message', ({ id, files }) => {
  const existing = [];
  for (let i = 0; i < files.length; i++) {
    try {
      writeFileSync(files[i][0], files[i][1], { flag: 'wx' });
    } catch (e) {
      if (e && e.code === 'EEXIST') { existing.push(i); continue; }
      parentPort.postMessage({ id, existing, error: { index: i, code: e && e.code, message: String(e && e.message) } });
      return;
    }
  }
  parentPort.postMessage({ id, existing });
});
`;

interface Reply {
  readonly id: number;
  readonly existing: number[];
  readonly error?: { readonly index: number; readonly code?: string; readonly message: string };
}

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();

function writerThread(): Worker {
  if (worker !== undefined) return worker;
  const created = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], name: 'bioimageit local-fs writer' });
  created.unref();
  created.on('message', (reply: Reply) => {
    const pending = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) created.unref();
    pending?.resolve(reply);
  });
  const fail = (error: Error) => {
    worker = undefined;
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };
  created.on('error', fail);
  created.on('exit', (code) => fail(new Error(`the local-fs writer thread exited (code ${code})`)));
  worker = created;
  return created;
}

/**
 * Creates `files` (each exclusively: a name already taken is left alone and reported in
 * `existing`), in order, without flushing them. A few are written on the caller's thread; from
 * {@link THREAD_FROM} on, on a writer thread shared by the process (started on first use, never
 * keeping the process alive when idle), so the caller's thread runs on meanwhile. Rejects with a
 * {@link SmallFileError} naming the first file that could not be created (those before it exist).
 */
export async function createSmallFiles(files: readonly NewSmallFile[]): Promise<SmallFilesResult> {
  if (files.length < THREAD_FROM) return createHere(files);
  const thread = writerThread();
  const id = nextId++;
  const reply = await new Promise<Reply>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    thread.ref();
    thread.postMessage({ id, files });
  });
  if (reply.error !== undefined) {
    const path = files[reply.error.index]?.[0] ?? '';
    throw new SmallFileError(path, reply.error.code, reply.error.message);
  }
  return { existing: reply.existing };
}

function createHere(files: readonly NewSmallFile[]): SmallFilesResult {
  const existing: number[] = [];
  files.forEach(([path, text], i) => {
    try {
      writeFileSync(path, text, { flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') existing.push(i);
      else throw new SmallFileError(path, code, error instanceof Error ? error.message : String(error));
    }
  });
  return { existing };
}

import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { mapConcurrent } from '@bioimageit/core';

/**
 * From this many files on, one flush of the whole file system (`sync -f`, Linux's syncfs) is
 * cheaper than flushing each file: an fdatasync costs ~0.1 ms of journal commit per file, a
 * `sync -f` process ~2 ms plus whatever else is dirty on that file system.
 */
const SYNCFS_FROM = 64;

/** How {@link flushFiles} flushed, for tests and benchmarks. */
export type FlushMethod = 'syncfs' | 'fdatasync' | 'none';

/**
 * Makes the contents of `files` (absolute paths, all on the file system of `dir`) durable before
 * a commit point refers to them. Many files are flushed with one `sync -f DIR` (syncfs(2):
 * every dirty page of that file system reaches the disk, theirs included); few, or where `sync -f`
 * is missing or fails (not Linux, an old coreutils, a sandbox), each with fdatasync, `concurrency`
 * at a time. Rejects with the error of a file that cannot be flushed.
 */
export async function flushFiles(dir: string, files: readonly string[], concurrency: number): Promise<FlushMethod> {
  if (files.length === 0) return 'none';
  if (files.length >= SYNCFS_FROM && process.platform === 'linux' && (await syncFileSystem(dir))) return 'syncfs';
  await mapConcurrent(files, concurrency, async (file) => {
    const handle = await open(file, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  });
  return 'fdatasync';
}

/** Runs `sync -f dir`; resolves false (never rejects) when it is missing or fails. */
function syncFileSystem(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', dir], { timeout: 120_000, windowsHide: true }, (error) => resolve(error === null));
  });
}

import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import { isProcessAlive } from '@bioimageit/core';

/** Who holds a lock file (its JSON content). */
interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Milliseconds between attempts while another process holds the lock (default 100). */
  readonly pollMs?: number;
  /** Stops waiting: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called once when the lock is found held by someone else (to tell the user why nothing moves). */
  readonly onWait?: (owner: string) => void;
  /**
   * A lock file not touched for this long is stale and taken over (default 5 minutes): the holder
   * touches it every `staleMs / 4` while `fn` runs, so only a holder that died (on any host, e.g. a
   * cluster node sharing the folder) leaves it untouched.
   */
  readonly staleMs?: number;
}

/**
 * Runs `fn` while holding an exclusive lock file (created with `O_EXCL`, holding the owner's pid,
 * host and start time), so that processes sharing a folder do one thing at a time. A lock left by
 * a process of this host that no longer runs, or not touched for `staleMs` (a holder elsewhere
 * that died), is taken over; a lock whose content cannot be read yet (being written) counts as
 * held. The lock file is removed when `fn` settles.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const host = os.hostname();
  const staleMs = options.staleMs ?? 300_000;
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host, since: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await readOwner(file);
    const age = await stat(file).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    const deadHere = owner !== undefined && owner.host === host && owner.pid !== process.pid && !isProcessAlive(owner.pid);
    if (deadHere || age > staleMs) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (!told) {
      told = true;
      options.onWait?.(owner === undefined ? 'another process' : `process ${owner.pid} on ${owner.host} since ${owner.since}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
  const heartbeat = setInterval(
    () => {
      const now = new Date();
      utimes(file, now, now).catch(() => undefined);
    },
    Math.max(10, staleMs / 4),
  );
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await unlink(file).catch(() => undefined);
  }
}

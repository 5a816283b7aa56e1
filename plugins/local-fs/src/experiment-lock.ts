import { randomBytes } from 'node:crypto';
import { constants, copyFile, link, mkdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { isProcessAlive, StorageError } from '@bioimageit/core';
import { tempPathFor } from './atomic-write.js';
import { errnoCode, storageFailure } from './storage-failure.js';

/** What a lock file says about its holder. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder asked for the lock. */
  readonly time: string;
  /** Random token telling this holder's lock file from any later one. */
  readonly token: string;
}

/** Timing of {@link acquireLock}. */
export interface LockTiming {
  /** How long to wait for a busy lock before rejecting with LOCKED. */
  readonly timeoutMs: number;
  /** A lock file not refreshed for this long is stale (its holder froze or died on another host). */
  readonly staleMs: number;
}

/** A held inter-process lock. */
export interface HeldLock {
  /** True when a stale lock of a dead writer was broken to get this one. */
  readonly brokeStale: boolean;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return { pid: value.pid, host: value.host, time: String(value.time), token: String(value.token) };
  } catch {
    return undefined;
  }
}

function isStale(holder: LockHolder | undefined, mtimeMs: number, staleMs: number): boolean {
  if (holder !== undefined && holder.host === hostname() && !isProcessAlive(holder.pid)) return true;
  return Date.now() - mtimeMs > staleMs;
}

/**
 * The state of lock `file`: `free` (no lock file), `held` by a live writer, or `stale`: its holder
 * is dead on this host (`kill -9`: it could not remove it) or did not refresh it for `staleMs`.
 * A stale lock means a write was cut off.
 */
export async function lockState(file: string, staleMs: number): Promise<'free' | 'held' | 'stale'> {
  const stats = await stat(file).catch(() => undefined);
  if (stats === undefined) return 'free';
  return isStale(await readHolder(file), stats.mtimeMs, staleMs) ? 'stale' : 'held';
}

/**
 * Removes the stale lock file whose inode is `ino`, and only that one: the file is first renamed
 * aside (atomic), and put back when it turns out to be a newer lock taken meanwhile.
 */
async function breakStale(file: string, ino: number): Promise<boolean> {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(file, aside);
  } catch {
    return false;
  }
  const moved = await stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== ino) {
    await link(aside, file).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

/**
 * Takes the inter-process lock `file`, created exclusively and complete (pid/host/time/token as
 * JSON: a taker killed meanwhile never leaves an empty lock file). While held, its mtime is
 * refreshed every `staleMs / 4` so that only a frozen or dead holder's lock goes stale. A busy
 * lock is polled with exponential backoff; a stale one (its pid dead on this host, or not
 * refreshed for `staleMs`) is broken. After `timeoutMs`, rejects with StorageError LOCKED
 * naming the holder; `what` names the locked thing in messages. The lock's folder must be
 * creatable in an existing parent (NOT_FOUND otherwise).
 */
export async function acquireLock(file: string, timing: LockTiming, what: string): Promise<HeldLock> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), time: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + timing.timeoutMs;
  let delay = 2;
  let brokeStale = false;
  const draft = tempPathFor(file);
  try {
    await mkdir(path.dirname(file)).catch((error: unknown) => {
      if (errnoCode(error) !== 'EEXIST') throw error;
    });
    await writeFile(draft, JSON.stringify(holder));
  } catch (error) {
    throw storageFailure(error, 'prepare the lock of', what);
  }
  try {
    for (;;) {
      if (await createExclusive(draft, file)) return heldLock(file, holder, timing.staleMs, brokeStale);
      const stats = await stat(file).catch(() => undefined);
      if (stats === undefined) continue;
      const current = await readHolder(file);
      if (isStale(current, stats.mtimeMs, timing.staleMs)) {
        if (await breakStale(file, stats.ino)) brokeStale = true;
        continue;
      }
      if (Date.now() >= deadline) {
        const by = current === undefined ? 'another writer' : `pid ${current.pid} on host '${current.host}' since ${current.time}`;
        throw new StorageError('LOCKED', `${what} is locked by ${by} (lock file '${file}')`, { details: { file, holder: current } });
      }
      await sleep(Math.min(delay * (0.5 + Math.random()), Math.max(1, deadline - Date.now())));
      delay = Math.min(delay * 2, 100);
    }
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * Puts the complete `draft` in place as `file` unless `file` exists: a hard link is atomic and
 * fails when the name is taken. Where hard links are unsupported, copies with O_EXCL instead.
 */
async function createExclusive(draft: string, file: string): Promise<boolean> {
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw storageFailure(error, 'create the lock file', file);
  }
  try {
    await copyFile(draft, file, constants.COPYFILE_EXCL);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw storageFailure(error, 'create the lock file', file);
  }
}

function heldLock(file: string, holder: LockHolder, staleMs: number, brokeStale: boolean): HeldLock {
  const refresh = setInterval(
    () => {
      const now = new Date();
      utimes(file, now, now).catch(() => undefined);
    },
    Math.max(10, staleMs / 4),
  );
  refresh.unref();
  let released = false;
  return {
    brokeStale,
    async release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      const current = await readHolder(file);
      if (current?.token === holder.token) await unlink(file).catch(() => undefined);
    },
  };
}

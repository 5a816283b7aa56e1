import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { isUsedBy, processWorkingDirectories } from '@bioimageit/core';
import { RUN_LOGS_DIR } from './experiment-layout.js';
import { isAbandoned, OWNER_STAMP, stampOf, STAMP_SOURCE } from './owner-stamp.js';
import { copyData } from './raw-item-files.js';
import { storageFailure } from './storage-failure.js';

/** `<label>@<owner stamp>-<6 random characters>` (mkdtemp); `@` never occurs in a sanitized label. */
const STAGING_NAME = new RegExp(`@${STAMP_SOURCE}-[A-Za-z0-9]{6}$`);

/** A label reduced to a safe folder-name part: `[A-Za-z0-9._-]`, no leading dot, at most 48 characters, `job` when empty. */
export function sanitizeLabel(label: string): string {
  const safe = String(label)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 48);
  return safe === '' ? 'job' : safe;
}

/**
 * Creates a fresh folder `<stagingDir>/<label>@<owner stamp>-<random>` (mode 0700, through
 * mkdtemp, so two calls never share one) and returns its absolute path. The caller removes it;
 * should this process die first, {@link sweepStaging} does. `stagingDir` is created when missing:
 * tried without it first, since a run's jobs find it there (one system call per job instead of two).
 */
export async function createStagingFolder(stagingDir: string, label: string): Promise<string> {
  const prefix = path.join(stagingDir, `${sanitizeLabel(label)}@${OWNER_STAMP}-`);
  try {
    return await mkdtemp(prefix).catch(async (error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(stagingDir, { recursive: true });
      return mkdtemp(prefix);
    });
  } catch (error) {
    throw storageFailure(error, 'create a staging folder in', stagingDir);
  }
}

/**
 * Removes the staging folders whose maker is gone (a process of this host that died: pid and
 * start time; folders without a stamp of this host once unchanged for `ageMs`), except those a
 * live process still works in (its working directory is inside; Linux). Resolves with the number
 * removed; never rejects.
 */
export async function sweepStaging(stagingDir: string, ageMs: number): Promise<number> {
  let names: string[];
  try {
    names = await readdir(stagingDir);
  } catch {
    return 0;
  }
  const abandoned: string[] = [];
  for (const name of names) {
    const match = STAGING_NAME.exec(name);
    const stamp = match === null ? undefined : stampOf(match, 1);
    const folder = path.join(stagingDir, name);
    const info = await stat(folder).catch(() => undefined);
    if (info !== undefined && info.isDirectory() && isAbandoned(stamp, info.mtimeMs, ageMs)) abandoned.push(folder);
  }
  if (abandoned.length === 0) return 0;
  const cwds = processWorkingDirectories() ?? [];
  let removed = 0;
  for (const folder of abandoned) {
    if (isUsedBy(folder, cwds)) continue; // a tool its dead owner left running still works there
    await rm(folder, { recursive: true, force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}

/**
 * Copies a job's log file to `<datasetDir>/logs/<runId>/<name>` (temporary name, flushed when
 * `fsync`, renamed into place, so a log replaced while being read is never seen half-written)
 * and returns that path relative to the dataset folder, in unix form. With `tempDir` (the
 * source's staging folder), the temporary copy is made there, so that a process killed meanwhile
 * leaves it where {@link sweepStaging} finds it.
 */
export async function storeRunLog(datasetDir: string, runId: string, name: string, sourcePath: string, fsync: boolean, tempDir?: string): Promise<string> {
  const folder = path.join(datasetDir, RUN_LOGS_DIR, runId);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw storageFailure(error, 'create the log folder', folder);
  }
  await copyData(sourcePath, path.join(folder, name), fsync, tempDir);
  return `${RUN_LOGS_DIR}/${runId}/${name}`;
}

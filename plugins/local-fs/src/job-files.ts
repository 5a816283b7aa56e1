import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { RUN_LOGS_DIR } from './experiment-layout.js';
import { copyData } from './raw-item-files.js';
import { storageFailure } from './storage-failure.js';

/** A label reduced to a safe folder-name part: `[A-Za-z0-9._-]`, no leading dot, at most 48 characters, `job` when empty. */
export function sanitizeLabel(label: string): string {
  const safe = String(label)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 48);
  return safe === '' ? 'job' : safe;
}

/**
 * Creates a fresh folder `<stagingDir>/<label>-<random>` (mode 0700, through mkdtemp, so two
 * calls never share one) and returns its absolute path. The caller removes it. `stagingDir` is
 * created when missing: tried without it first, since a run's jobs find it there (one system
 * call per job instead of two).
 */
export async function createStagingFolder(stagingDir: string, label: string): Promise<string> {
  const prefix = path.join(stagingDir, `${sanitizeLabel(label)}-`);
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
 * Copies a job's log file to `<datasetDir>/logs/<runId>/<name>` (temporary name, flushed when
 * `fsync`, renamed into place, so a log replaced while being read is never seen half-written)
 * and returns that path relative to the dataset folder, in unix form.
 */
export async function storeRunLog(datasetDir: string, runId: string, name: string, sourcePath: string, fsync: boolean): Promise<string> {
  const folder = path.join(datasetDir, RUN_LOGS_DIR, runId);
  try {
    await mkdir(folder, { recursive: true });
  } catch (error) {
    throw storageFailure(error, 'create the log folder', folder);
  }
  await copyData(sourcePath, path.join(folder, name), fsync);
  return `${RUN_LOGS_DIR}/${runId}/${name}`;
}

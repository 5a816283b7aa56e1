import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunnerError } from '../errors/area-errors.js';

/** Prefix of the private temporary folder made inside a job's working directory (hidden from `*`). */
export const JOB_TMP_PREFIX = '.bioimageit-tmp-';

/** A job's temporary folder and how to dispose of it. */
export interface JobTempDir {
  readonly path: string;
  /** Removes the folder when the runner made it; a folder the job named is left in place. */
  release(): Promise<void>;
}

function missingCwd(jobId: string, cwd: string, cause: unknown): RunnerError {
  return new RunnerError('UNAVAILABLE', `job '${jobId}': working directory '${cwd}' does not exist or is not a folder`, {
    cause,
    details: { jobId, cwd },
  });
}

const code = (e: unknown): unknown => (e as NodeJS.ErrnoException | null)?.code;

/**
 * Checks the working directory and prepares TMPDIR in the same step.
 *
 * Without `tmpDir`, makes a private folder inside `cwd` (one `mkdtemp`, which also proves `cwd`
 * exists and is a folder), falling back to the system temporary folder when `cwd` is read-only.
 * With `tmpDir`, checks `cwd` and creates `tmpDir` when missing (`tmpDir` equal to `cwd`, for a
 * job engine whose staging folders are already private, costs a single `stat`).
 * Throws RunnerError UNAVAILABLE naming `cwd` when it is missing or not a folder.
 */
export async function prepareJobTempDir(jobId: string, cwd: string, tmpDir: string | undefined): Promise<JobTempDir> {
  if (tmpDir !== undefined) {
    const dir = path.resolve(cwd, tmpDir);
    const same = dir === path.resolve(cwd);
    const [info, made] = await Promise.allSettled([stat(cwd), same ? undefined : mkdir(dir, { recursive: true })]);
    if (info.status === 'rejected' || !info.value.isDirectory()) throw missingCwd(jobId, cwd, info.status === 'rejected' ? info.reason : undefined);
    if (made.status === 'rejected') throw made.reason;
    return { path: dir, release: async () => undefined };
  }
  let dir: string;
  try {
    dir = await mkdtemp(path.join(cwd, JOB_TMP_PREFIX));
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') throw missingCwd(jobId, cwd, e);
    if (code(e) !== 'EACCES' && code(e) !== 'EROFS' && code(e) !== 'EPERM') throw e;
    dir = await mkdtemp(path.join(tmpdir(), JOB_TMP_PREFIX));
  }
  // rmdir is one system call; only a tool that left files behind pays for the recursive removal.
  const release = (): Promise<void> => rmdir(dir).catch(() => rm(dir, { recursive: true, force: true }).catch(() => undefined));
  return { path: dir, release };
}

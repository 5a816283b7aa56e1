import { chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { JOB_TMP_PREFIX, RunnerError, type RunnerJob } from '@bioimageit/core';

/** A job's temporary folder (TMPDIR and HOME inside the container) and how to dispose of it. */
export interface ContainerTempDir {
  readonly path: string;
  /** Removes the folder when the runner made it; a folder the job named is left in place. */
  release(): Promise<void>;
}

/** Parses `uid:gid` (numbers); undefined for user names, which the runner passes to Docker as they are. */
export function numericUser(user: string): { uid: number; gid: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(user);
  return match === null ? undefined : { uid: Number(match[1]), gid: Number(match[2]) };
}

/**
 * Checks that the job's working directory exists (RunnerError UNAVAILABLE naming it otherwise) and
 * prepares its temporary folder: `job.tmpDir` (created when missing, kept), else a private
 * `.bioimageit-tmp-*` folder inside the working directory, removed at release. When this process
 * runs as root and the container user is someone else, the private folder is handed to that user
 * so the tool can write there.
 */
export async function prepareContainerTempDir(job: RunnerJob, user: string): Promise<ContainerTempDir> {
  const cwdStat = await stat(job.cwd).catch((cause: unknown) => {
    throw new RunnerError('UNAVAILABLE', `job '${job.id}': working directory '${job.cwd}' does not exist`, { cause, details: { jobId: job.id, cwd: job.cwd } });
  });
  if (!cwdStat.isDirectory()) {
    throw new RunnerError('UNAVAILABLE', `job '${job.id}': working directory '${job.cwd}' is not a folder`, { details: { jobId: job.id, cwd: job.cwd } });
  }
  if (job.tmpDir !== undefined) {
    await mkdir(job.tmpDir, { recursive: true });
    return { path: path.resolve(job.tmpDir), release: async () => undefined };
  }
  const made = await mkdtemp(path.join(path.resolve(job.cwd), JOB_TMP_PREFIX));
  const owner = numericUser(user);
  if (owner !== undefined && process.getuid?.() === 0 && owner.uid !== 0) await chown(made, owner.uid, owner.gid);
  return { path: made, release: () => rm(made, { recursive: true, force: true }) };
}

import { chmod, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's copy of the v1 fixture (read-only: tests work on a copy). */
export const V1_FIXTURE = fileURLToPath(new URL('../../../../tests/fixtures/v1/exp100', import.meta.url));

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(full);
    else await chmod(full, 0o644);
  }
}

/** A writable copy of the v1 fixture `exp100` in a fresh temporary workspace. */
export async function copyV1Fixture(): Promise<{ workspace: string; experiment: string; cleanup: () => Promise<void> }> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'local-fs-v1-'));
  const experiment = path.join(workspace, 'exp100');
  await cp(V1_FIXTURE, experiment, { recursive: true });
  await makeWritable(experiment);
  return { workspace, experiment, cleanup: () => rm(workspace, { recursive: true, force: true }) };
}

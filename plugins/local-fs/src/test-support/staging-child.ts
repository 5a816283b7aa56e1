/**
 * Child process of the sweep specs (run with `node --conditions=source --import tsx`): opens the
 * experiment, makes `count` staging folders with a file in each (as a run's jobs do), starts a
 * `sleep` working in the first one that outlives this process (its own process group, as a tool
 * whose owner was killed together with its spawn helper), prints `ready <sleep pid>`, and waits
 * to be killed.
 * Usage: staging-child.ts <experiment> <count>
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalFsStorageBackend } from '../local-fs-storage-backend.js';

const [experiment, count] = process.argv.slice(2) as [string, string];
const store = await new LocalFsStorageBackend().openExperiment(experiment);
const folders: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const dir = await store.createStagingDir(`run1234-job-${i}`);
  await writeFile(path.join(dir, 'partial.tif'), 'half an output');
  folders.push(dir);
}
const tool = spawn('sleep', ['120'], { cwd: folders[0], detached: true, stdio: 'ignore' });
tool.unref();
process.stdout.write(`ready ${tool.pid}\n`);
setInterval(() => undefined, 1000);

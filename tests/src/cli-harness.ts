import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@bioimageit/cli';
import { writeTiff } from '@bioimageit/core';

/** Repository root and the v1 fixtures kept in it. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const V1_FIXTURES = join(REPO, 'tests/fixtures/v1');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process in `cwd` with a clean environment and captures its output. */
export async function cli(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd,
    env: { PATH: process.env['PATH'], USER: 'tester', ...env },
    output: { out: (t) => (stdout += t.endsWith('\n') ? t : t + '\n'), err: (t) => (stderr += t.endsWith('\n') ? t : t + '\n'), interactive: false },
  });
  return { code, stdout, stderr };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Copies the v1 experiment exp100 to `dest` (tests never write into the fixtures). */
export async function copyV1Experiment(dest: string): Promise<string> {
  const target = join(dest, 'exp100');
  await cp(join(V1_FIXTURES, 'exp100'), target, { recursive: true });
  return target;
}

/** Writes a small uint16 ZYX stack (OME-TIFF when the name ends in .ome.tif). */
export async function writeStack(path: string, seed: number, shape: [number, number, number] = [2, 8, 8]): Promise<void> {
  const data = new Uint16Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 7) % 65535;
  await writeTiff(
    path,
    { data, shape, dtype: 'uint16', axes: 'ZYX', physicalSize: { x: { value: 0.2, unit: 'µm' }, y: { value: 0.2, unit: 'µm' }, z: { value: 1, unit: 'µm' } } },
    { ome: path.endsWith('.ome.tif') },
  );
}

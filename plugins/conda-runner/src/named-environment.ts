import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RunnerError } from '@bioimageit/core';
import type { CondaCommand } from './conda-command.js';

const isEnvironment = (prefix: string): Promise<boolean> =>
  stat(path.join(prefix, 'conda-meta')).then(
    (s) => s.isDirectory(),
    () => false,
  );

/** The prefixes a conda command knows (`env list --json`), or none when it cannot say. */
function listedEnvironments(command: CondaCommand): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(command.path, ['env', 'list', '--json'], { timeout: 60_000 }, (error, stdout) => {
      if (error !== null) return resolve([]);
      try {
        const envs = (JSON.parse(stdout) as { envs?: unknown }).envs;
        resolve(Array.isArray(envs) ? envs.filter((e): e is string => typeof e === 'string') : []);
      } catch {
        resolve([]);
      }
    });
  });
}

/**
 * The prefix of an existing environment a requirement names without packages (v1's
 * `<package env="cellpose">` with nothing to install): one the conda command lists (`base` is
 * its first), else a folder of that name holding `conda-meta` in `dirs`. Throws RunnerError
 * UNAVAILABLE listing where it looked.
 */
export async function findNamedEnvironment(name: string, command: CondaCommand | undefined, dirs: readonly string[], label: string): Promise<string> {
  const listed = command === undefined ? [] : await listedEnvironments(command);
  const hit = name === 'base' ? listed[0] : listed.find((p) => path.basename(p) === name);
  if (hit !== undefined) return hit;
  for (const dir of dirs) {
    const prefix = path.join(dir, name);
    if (await isEnvironment(prefix)) return prefix;
  }
  const where = [...(command === undefined ? [] : [`${path.basename(command.path)} env list`]), ...dirs].join(', ');
  throw new RunnerError(
    'UNAVAILABLE',
    `${label}: conda environment '${name}' does not exist (looked in ${where === '' ? 'nowhere: no conda command and no BIOIMAGEIT_CONDA_ENVS_DIRS' : where})`,
    {
      details: { environment: name, searched: [...dirs] },
    },
  );
}

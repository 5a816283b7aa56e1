import { execFile } from 'node:child_process';
import path from 'node:path';
import { ExecutableResolver, RunnerError } from '@bioimageit/core';

/** How a conda-compatible command spells things: conda (and mamba 1) capture `run` output unless told not to. */
export type CondaFlavour = 'micromamba' | 'conda';

/** A conda-compatible command found on this machine. */
export interface CondaCommand {
  /** Absolute path of the executable. */
  readonly path: string;
  readonly flavour: CondaFlavour;
  /** First line of `--version` (`1.5.8`, `conda 24.1.2`). */
  readonly version: string;
}

/** Names looked for on PATH, in order, when no command is configured. */
export const CONDA_COMMAND_NAMES = ['micromamba', 'mamba', 'conda'] as const;

function versionOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(error);
      else resolve(`${stdout}${stderr}`.trim());
    });
  });
}

/** micromamba and mamba 2 print a bare version; conda prints `conda X`, mamba 1 prints `mamba X` then `conda Y`. */
export function flavourOf(file: string, versionText: string): CondaFlavour {
  if (path.basename(file).startsWith('micromamba')) return 'micromamba';
  return /^conda\s/m.test(versionText) || path.basename(file).startsWith('conda') ? 'conda' : 'micromamba';
}

/**
 * Finds the conda-compatible command to use: `configured` (a name looked up on PATH, or a path;
 * `embedded` means none), else `$MAMBA_EXE` / `$CONDA_EXE`, else the first of micromamba, mamba,
 * conda on PATH. Returns undefined when none is configured and none is installed. Throws
 * RunnerError UNAVAILABLE when the configured command does not exist or does not answer
 * `--version`.
 */
export async function findCondaCommand(
  configured: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<CondaCommand | undefined> {
  if (configured === 'embedded') return undefined;
  const resolver = new ExecutableResolver();
  const searchPath = env['PATH'] ?? '';
  let file: string | undefined;
  if (configured !== undefined) {
    file = await resolver.resolve(configured, searchPath, process.cwd());
    if (file === undefined) {
      throw new RunnerError('UNAVAILABLE', `the conda command '${configured}' (BIOIMAGEIT_CONDA_COMMAND) was not found in PATH or is not executable`, {
        details: { command: configured },
      });
    }
  } else {
    for (const candidate of [env['MAMBA_EXE'], env['CONDA_EXE'], ...CONDA_COMMAND_NAMES]) {
      if (candidate === undefined || candidate === '') continue;
      file = await resolver.resolve(candidate, searchPath, process.cwd());
      if (file !== undefined) break;
    }
    if (file === undefined) return undefined;
  }
  const version = await versionOf(file).catch((cause: unknown) => {
    throw new RunnerError('UNAVAILABLE', `the conda command ${file} does not answer '--version': ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { command: file },
    });
  });
  return { path: file, flavour: flavourOf(file, version), version: version.split('\n')[0] ?? version };
}

/** argv that runs `argv` in `prefix` through the command, without a shell (`micromamba run -p PREFIX ...`). */
export function runArgv(command: CondaCommand, prefix: string, argv: readonly string[]): string[] {
  return command.flavour === 'conda' ? [command.path, 'run', '--no-capture-output', '-p', prefix, ...argv] : [command.path, 'run', '-p', prefix, ...argv];
}

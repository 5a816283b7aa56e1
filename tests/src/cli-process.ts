import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './cli-harness.js';

/** argv prefixes that start the CLI as a separate process: the built JS, or the sources through tsx. */
export const BUILT_CLI = [join(REPO, 'cli/bin/bioimageit.js')];
export const TSX_CLI = ['--conditions=source', '--import', 'tsx', join(REPO, 'cli/src/main.ts')];

export interface ProcessResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns `node PREFIX... ARGS...` in `cwd` and returns the child plus a promise of its result. */
export function startCli(
  prefix: readonly string[],
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; done: Promise<ProcessResult> } {
  const child = spawn(process.execPath, [...prefix, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, BIOIMAGEIT_WORKSPACE: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<ProcessResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

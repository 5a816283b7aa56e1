import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLED_TOOLS_DIR } from '../bundled-tools.js';

const run = promisify(execFile);

/** Runs a bundled tool script with plain node in `cwd` (it imports the built @bioimageit/core); never rejects. */
export async function runBundledScript(name: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(BUNDLED_TOOLS_DIR, name), ...args], { cwd, env: { PATH: process.env['PATH'] ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../usage-error.js';

/** File that marks a folder as made by `bioimageit demo` (and so safe for the demo to replace). */
export const DEMO_MARKER = '.bioimageit-demo';

/**
 * True when `dir` is a workspace an earlier demo made: it holds the {@link DEMO_MARKER}, or (demo
 * workspaces from before the marker) a `bioimageit.config.json` next to `incoming/plate1`.
 */
export function isDemoWorkspace(dir: string): boolean {
  if (existsSync(join(dir, DEMO_MARKER))) return true;
  return existsSync(join(dir, 'bioimageit.config.json')) && existsSync(join(dir, 'incoming', 'plate1'));
}

/**
 * Makes `dir` an empty folder for a new demo workspace, marked with {@link DEMO_MARKER}: creates
 * it, or removes a previous demo workspace first. Never deletes anything else: a file, or a
 * non-empty folder that is not a demo workspace, is a UsageError naming it.
 * Resolves to `replaced` when a previous demo workspace was removed.
 */
export async function prepareDemoFolder(dir: string): Promise<'created' | 'replaced'> {
  let outcome: 'created' | 'replaced' = 'created';
  const info = await stat(dir).catch(() => undefined);
  if (info !== undefined) {
    if (!info.isDirectory()) throw new UsageError(`${dir} is a file, not a folder: choose another demo folder`);
    if ((await readdir(dir)).length > 0) {
      if (!isDemoWorkspace(dir)) {
        throw new UsageError(`refusing to replace ${dir}: the folder is not empty and is not a demo workspace (no ${DEMO_MARKER} file); choose another folder`);
      }
      await rm(dir, { recursive: true, force: true });
      outcome = 'replaced';
    }
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, DEMO_MARKER), 'Made by `bioimageit demo`; running the demo again on this folder deletes and recreates it.\n');
  return outcome;
}

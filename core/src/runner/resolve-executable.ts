import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** True when `file` is a regular file the current user may execute. */
async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `command` names a file by path (`./tool`, `/usr/bin/tool`) rather than a bare name. */
export function hasPathSeparator(command: string, platform: NodeJS.Platform = process.platform): boolean {
  return command.includes('/') || (platform === 'win32' && command.includes('\\'));
}

/**
 * Finds the executable a command names, the way `execvp` would but without spawning anything:
 *
 * - a command with a path separator is resolved against the job's working directory;
 * - a bare name is looked up in each folder of `searchPath` in order (empty entries are skipped,
 *   relative ones are taken from the working directory); on Windows each `PATHEXT` extension is
 *   tried too.
 *
 * Bare-name hits are cached per (PATH, name) for the resolver's lifetime, so that a thousand jobs
 * of the same tool cost one lookup; {@link forget} drops an entry whose file vanished.
 */
export class ExecutableResolver {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly platform: NodeJS.Platform = process.platform,
    private readonly pathExt: string = process.env['PATHEXT'] ?? '.COM;.EXE;.BAT;.CMD',
  ) {}

  /** The absolute path `command` runs, or undefined when nothing executable answers it. */
  async resolve(command: string, searchPath: string | undefined, cwd: string): Promise<string | undefined> {
    if (command === '') return undefined;
    if (hasPathSeparator(command, this.platform)) {
      const file = path.resolve(cwd, command);
      return (await isExecutableFile(file)) ? file : undefined;
    }
    const key = this.keyOf(command, searchPath, cwd);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    for (const candidate of this.candidates(command, searchPath ?? '', cwd)) {
      if (await isExecutableFile(candidate)) {
        this.cache.set(key, candidate);
        return candidate;
      }
    }
    return undefined;
  }

  /** Drops the cached answer for `command` (call it when spawning the cached file failed). */
  forget(command: string, searchPath: string | undefined, cwd: string): void {
    this.cache.delete(this.keyOf(command, searchPath, cwd));
  }

  private keyOf(command: string, searchPath: string | undefined, cwd: string): string {
    const dirs = (searchPath ?? '').split(path.delimiter);
    const relative = dirs.some((d) => d !== '' && !path.isAbsolute(d));
    return relative ? `${searchPath ?? ''}\0${command}\0${cwd}` : `${searchPath ?? ''}\0${command}`;
  }

  private *candidates(command: string, searchPath: string, cwd: string): Generator<string> {
    const exts = this.platform === 'win32' ? ['', ...this.pathExt.split(';').filter((e) => e !== '')] : [''];
    for (const dir of searchPath.split(path.delimiter)) {
      if (dir === '') continue;
      const base = path.resolve(cwd, dir, command);
      for (const ext of exts) yield base + ext;
    }
  }
}

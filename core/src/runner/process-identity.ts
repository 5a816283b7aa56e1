import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isProcessAlive } from '../util/process-alive.js';

/**
 * One process for the machine's uptime: its pid and, where the system tells (Linux), when it
 * started in clock ticks since boot. Pids are reused, often within seconds on a busy host; the
 * pair is not.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of `/proc/PID/stat`; absent where it cannot be read (macOS, another user's process). */
  readonly start?: string;
}

/** Fields of `/proc/PID/stat` after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** When process `pid` started, in clock ticks since boot (Linux); undefined where that cannot be read. */
export function processStartTicks(pid: number): string | undefined {
  const start = statFields(pid)?.[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** This process as a {@link ProcessIdentity} (read once: it does not change). */
export const thisProcess: ProcessIdentity = (() => {
  const start = processStartTicks(process.pid);
  return start === undefined ? { pid: process.pid } : { pid: process.pid, start };
})();

/**
 * True while the process `who` names still exists: its pid is alive (EPERM counts as alive) and,
 * when `who.start` is known and the current start time readable, it started at that tick. A pid
 * reused by another process is not alive; a zombie (exited, not yet reaped) is not alive either.
 */
export function isSameProcessAlive(who: ProcessIdentity): boolean {
  if (!Number.isInteger(who.pid) || who.pid <= 0 || !isProcessAlive(who.pid)) return false;
  const fields = statFields(who.pid);
  if (fields === undefined) return true; // no /proc here: the pid is all we can check
  if (fields[0] === 'Z') return false;
  return who.start === undefined || fields[19] === undefined || fields[19] === who.start;
}

/**
 * The working directories of the live processes this user can see (Linux: `/proc/PID/cwd`;
 * another user's processes are left out, and none of them is one of our tools). Undefined where
 * /proc cannot be listed: nobody can tell then. Use {@link isUsedBy} to test a folder.
 */
export function processWorkingDirectories(): string[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const found: string[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      found.push(readlinkSync(`/proc/${name}/cwd`).replace(/ \(deleted\)$/, ''));
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found;
}

/** True when one of `cwds` (see {@link processWorkingDirectories}) is `dir` or inside it. */
export function isUsedBy(dir: string, cwds: readonly string[]): boolean {
  return cwds.some((cwd) => cwd === dir || cwd.startsWith(`${dir}/`));
}

/**
 * The live (not zombie) members of process group `pgid`, optionally only those started at or
 * after tick `since` (Linux: a scan of /proc); undefined where /proc cannot be listed.
 */
export function liveGroupMembers(pgid: number, since?: string): number[] | undefined {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const members: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    if (fields === undefined || fields[0] === 'Z' || Number(fields[2]) !== pgid) continue;
    if (since !== undefined && /^\d+$/.test(fields[19] ?? '') && BigInt(fields[19] as string) < BigInt(since)) continue;
    members.push(Number(name));
  }
  return members;
}

import type { ChildProcess } from 'node:child_process';

/**
 * Whether jobs get their own process group (spawned `detached`), so that signalling `-pid` reaches
 * every process the tool started. True on POSIX systems; on Windows only the tool itself is
 * signalled.
 */
export const usesProcessGroups = process.platform !== 'win32';

/**
 * Sends `signal` to the job's whole process group (the tool and everything it started that did
 * not leave the group). Safe to call after the tool exited: a group with no members is ignored.
 * Returns false when nothing was signalled.
 */
export function signalProcessTree(child: ChildProcess, signal: NodeJS.Signals): boolean {
  const pid = child.pid;
  if (pid === undefined) return false;
  if (!usesProcessGroups) return child.exitCode === null && child.signalCode === null ? child.kill(signal) : false;
  return signalGroup(pid, signal); // false on ESRCH: the group is empty (EPERM cannot happen for our own children)
}

/** Sends a signal to a job's process tree; false when nothing was signalled. */
export type TreeSignaller = (signal: NodeJS.Signals) => boolean;

/** Signals the process group led by `pid` (POSIX); false when the group is gone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while process group `pgid` has members (POSIX; zombies count). */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops a process tree politely: SIGTERM now, SIGKILL after `graceMs` unless {@link sweep} is
 * called first (the runner calls it once the tool has exited).
 */
export class TreeKiller {
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly signal: TreeSignaller,
    private readonly graceMs: number,
  ) {}

  /** Whether {@link terminate} was called. */
  get terminating(): boolean {
    return this.started;
  }

  /** SIGTERM to the tree, SIGKILL after the grace period. Calling it twice does nothing more. */
  terminate(): void {
    if (this.started) return;
    this.started = true;
    this.signal('SIGTERM');
    this.timer = setTimeout(() => this.signal('SIGKILL'), this.graceMs);
  }

  /** Kills whatever is left in the group at once and stops the pending SIGKILL timer. */
  sweep(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (usesProcessGroups) this.signal('SIGKILL');
  }
}

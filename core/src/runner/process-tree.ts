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
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty; EPERM cannot happen for our own children
  }
}

/**
 * Stops a process tree politely: SIGTERM now, SIGKILL after `graceMs` unless {@link cancel} is
 * called first (the runner calls it once the tool has exited and the group was swept).
 */
export class TreeKiller {
  private timer: NodeJS.Timeout | undefined;
  private started = false;

  constructor(
    private readonly child: ChildProcess,
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
    signalProcessTree(this.child, 'SIGTERM');
    this.timer = setTimeout(() => signalProcessTree(this.child, 'SIGKILL'), this.graceMs);
  }

  /** Kills whatever is left in the group at once and stops the pending SIGKILL timer. */
  sweep(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (usesProcessGroups) signalProcessTree(this.child, 'SIGKILL');
  }
}

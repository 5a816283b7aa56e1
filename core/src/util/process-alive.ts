/**
 * True when `pid` names a live process of this host (signal 0; a process of another user, EPERM,
 * counts as live). Lock files, container labels and job comments that name their owner's pid use
 * it to tell an owner that died (`kill -9`) from one still at work.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

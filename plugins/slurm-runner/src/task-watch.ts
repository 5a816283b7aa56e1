import type { CancelQueue } from './cancel-queue.js';
import type { SlurmCli } from './slurm-cli.js';
import type { SlurmMonitor } from './slurm-monitor.js';
import { isTerminalState, type DecodedExit, type QueueEntry } from './slurm-state.js';

/** setTimeout's largest delay; longer limits would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long after SIGTERM a task never seen running is also cancelled (it may still be queued). */
const QUEUED_CANCEL_DELAY_MS = 300;

/** Why the runner stopped a task, if it did. */
export type StopReason = 'timeout' | 'cancel';

/** How a watched task ended. */
export interface TaskEnding {
  /** The task's last squeue line (terminal, unless the controller forgot the task). */
  readonly entry?: QueueEntry;
  /** Accounting's record, where the controller forgot the task before it was seen ending. */
  readonly accounted?: { readonly state: string; readonly exit: DecodedExit };
  readonly stopped?: StopReason;
  /** When the task was first seen RUNNING. */
  readonly runningSince?: Date;
  /** squeue kept failing while the task was watched. */
  readonly error?: unknown;
}

/** What watching one submitted task needs. */
export interface TaskWatchContext {
  readonly key: string;
  readonly monitor: SlurmMonitor;
  readonly cancels: CancelQueue;
  readonly cli: Pick<SlurmCli, 'accounting'>;
  readonly signal: AbortSignal;
  /** Run time allowed once the task is seen RUNNING; absent or infinite: no limit. */
  readonly timeoutMs?: number;
  /** After scancel, how long until SIGKILL is sent. */
  readonly killGraceMs: number;
  /** Called on each poll while the task runs (to forward its output). */
  readonly onRunning?: () => void;
}

/**
 * Follows one submitted task until it reached a terminal state. An aborted signal or the run-time
 * limit (counted from the first poll that sees the task RUNNING, so queueing time is free) stops
 * it: SIGTERM to its batch shell when it runs (plain scancel when queued), scancel after the grace
 * period, SIGKILL after another; the watch still waits for the terminal state: it settles only
 * once SLURM says nothing of the task runs any more (COMPLETING counts as running).
 */
export function watchTask(ctx: TaskWatchContext): Promise<TaskEnding> {
  return new Promise<TaskEnding>((resolve) => {
    let stopped: StopReason | undefined;
    let runningSince: Date | undefined;
    let limit: NodeJS.Timeout | undefined;
    let kill: NodeJS.Timeout | undefined;
    let settled = false;
    let asking = false;
    const stop = (why: StopReason): void => {
      if (stopped !== undefined || settled) return;
      stopped = why;
      // First SIGTERM to the batch shell, which signals the tool's whole process group at once
      // (SLURM's own cancellation signals processes one by one, so a child can outlive its
      // parent by a few instructions). SLURM refuses signals to a queued job, so one not seen
      // running yet also gets a plain scancel shortly after. Then scancel, then SIGKILL.
      ctx.cancels.cancel(ctx.key, 'term');
      ctx.monitor.soon();
      if (runningSince === undefined) setTimeout(() => !settled && ctx.cancels.cancel(ctx.key, 'cancel'), QUEUED_CANCEL_DELAY_MS);
      kill = setTimeout(() => {
        ctx.cancels.cancel(ctx.key, 'cancel');
        ctx.monitor.soon();
        kill = setTimeout(() => {
          ctx.cancels.cancel(ctx.key, 'kill');
          ctx.monitor.soon();
        }, ctx.killGraceMs);
      }, ctx.killGraceMs);
    };
    const onAbort = (): void => stop('cancel');
    const finish = (ending: Omit<TaskEnding, 'stopped' | 'runningSince'>): void => {
      if (settled) return;
      settled = true;
      unwatch();
      ctx.signal.removeEventListener('abort', onAbort);
      if (limit !== undefined) clearTimeout(limit);
      if (kill !== undefined) clearTimeout(kill);
      resolve({ ...ending, ...(stopped !== undefined && { stopped }), ...(runningSince !== undefined && { runningSince }) });
    };
    const unwatch = ctx.monitor.watch(ctx.key, (seen) => {
      if ('error' in seen) return finish({ error: seen.error });
      if ('missing' in seen) {
        if (asking) return;
        asking = true;
        void ctx.cli.accounting(ctx.key).then((accounted) => finish(accounted === undefined ? {} : { accounted }));
        return;
      }
      const { entry } = seen;
      if (isTerminalState(entry.state)) return finish({ entry });
      if (entry.state !== 'RUNNING') return;
      if (runningSince === undefined) {
        runningSince = new Date();
        const ms = ctx.timeoutMs;
        if (ms !== undefined && Number.isFinite(ms)) limit = setTimeout(() => stop('timeout'), Math.min(Math.max(ms, 0), MAX_TIMER_MS));
      }
      ctx.onRunning?.();
    });
    if (ctx.signal.aborted) stop('cancel');
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * SLURM job states as squeue prints them, and what each means to a runner waiting on a job.
 * Terminal states end the wait; every other state (PENDING, RUNNING, COMPLETING, SUSPENDED,
 * REQUEUED, ...) means the job may still run or is still cleaning up.
 */
export const TERMINAL_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'OUT_OF_MEMORY',
  'SPECIAL_EXIT',
  'REVOKED',
]);

/** True when a job in `state` will never run again (and nothing of it is still running). */
export function isTerminalState(state: string): boolean {
  return TERMINAL_STATES.has(state);
}

/** One line of the runner's squeue query: one job, or one task of an array job. */
export interface QueueEntry {
  /** `12345` for a plain job, `12345_7` for task 7 of array job 12345. */
  readonly key: string;
  readonly state: string;
  /** The raw wait status SLURM keeps for the job (`exit_code`): exit code << 8 | signal. */
  readonly rawStatus: number;
  /** Node(s) the job ran on; empty while pending. */
  readonly nodes: string;
  readonly partition: string;
  readonly account: string;
  /** SLURM's start and end times as it prints them (local time, no zone), or `N/A`/`Unknown`. */
  readonly startTime: string;
  readonly endTime: string;
  readonly reason: string;
}

/** The squeue `--Format` the runner asks for; {@link parseQueueLine} reads it back. */
export const QUEUE_FORMAT = ['JobArrayID', 'State', 'exit_code', 'NodeList', 'Partition', 'Account', 'StartTime', 'EndTime', 'Reason']
  .map((field) => `${field}:|`)
  .join(',');

/** Parses one line printed with {@link QUEUE_FORMAT}; `undefined` for a line that is not one. */
export function parseQueueLine(line: string): QueueEntry | undefined {
  const fields = line.split('|').map((f) => f.trim());
  if (fields.length < 9) return undefined;
  const [key, state, status, nodes, partition, account, startTime, endTime, reason] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^\d+(_\d+)?$/.test(key) || state === '') return undefined;
  const rawStatus = Number.parseInt(status, 10);
  return {
    key,
    state: state.split(/\s+/)[0] as string,
    rawStatus: Number.isFinite(rawStatus) ? rawStatus : 0,
    nodes,
    partition,
    account,
    startTime,
    endTime,
    reason,
  };
}

/** A finished job's exit: the tool's exit code, or the signal that killed it. */
export interface DecodedExit {
  readonly exitCode: number | null;
  readonly signal?: NodeJS.Signals;
}

const SIGNAL_NAMES: Readonly<Record<number, NodeJS.Signals>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

/** Splits SLURM's raw wait status (`exit_code` of squeue, `ExitCode=code:signal` of scontrol). */
export function decodeRawStatus(raw: number): DecodedExit {
  const signal = raw & 0x7f;
  if (signal !== 0) return { exitCode: null, signal: SIGNAL_NAMES[signal] ?? (`SIG${signal}` as NodeJS.Signals) };
  return { exitCode: (raw >> 8) & 0xff };
}

/** The same status from sacct's `ExitCode` column (`3:0`, `0:9`). */
export function decodeExitPair(pair: string): DecodedExit | undefined {
  const match = /^(\d+):(\d+)$/.exec(pair.trim());
  if (match === null) return undefined;
  return decodeRawStatus((Number(match[1]) << 8) | (Number(match[2]) & 0x7f));
}

/** Stages of making an environment, in order. */
export type EnvironmentPhase = 'waiting' | 'solving' | 'downloading' | 'extracting' | 'linking' | 'initializing' | 'ready' | 'failed';

/** One progress event while an environment is made (or waited for). */
export interface EnvironmentProgressEvent {
  /** The environment's hash (its folder name). */
  readonly hash: string;
  readonly phase: EnvironmentPhase;
  /** Units done and total in this phase (packages), when countable. */
  readonly done?: number;
  readonly total?: number;
  /** One line for people. */
  readonly message: string;
}

/** Receives progress while environments are created; must not throw (errors are ignored). */
export type EnvironmentProgress = (event: EnvironmentProgressEvent) => void;

/**
 * The default display: one line per phase on stderr, and on a terminal a single line redrawn
 * with the package count while downloading, extracting and linking.
 */
export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): EnvironmentProgress {
  let lastPhase: string | undefined;
  return (event) => {
    const counted = event.total !== undefined && event.done !== undefined;
    const line = `conda env ${event.hash.slice(0, 8)}: ${event.message}${counted ? ` (${event.done}/${event.total})` : ''}`;
    if (stream.isTTY) {
      stream.write(`\r\x1b[2K${line}${event.phase === 'ready' || event.phase === 'failed' ? '\n' : ''}`);
    } else if (event.phase !== lastPhase || event.done === event.total) {
      stream.write(`${line}\n`);
    }
    lastPhase = event.phase;
  };
}

import { StringDecoder } from 'node:string_decoder';
import type { RunnerStream } from '../extension-points/runner.js';

/** A progress report found in a tool's output. */
export interface ProgressReport {
  /** 0..1. */
  readonly fraction: number;
  /** The line it was read from, trimmed. */
  readonly message: string;
}

/**
 * A line that reports progress: a percentage alone (`42%`, `42.5 %`) or after `progress` (`progress: 42%`,
 * `Progress 42%`), with any surrounding whitespace. Everything else is not progress.
 */
const PROGRESS_LINE = /^\s*(?:progress\s*:?\s*)?(\d{1,3}(?:\.\d+)?)\s*%\s*$/i;

/** Reads one line; undefined when it is not a progress line. Values above 100% count as 1. */
export function parseProgressLine(line: string): ProgressReport | undefined {
  const match = PROGRESS_LINE.exec(line);
  if (match === null) return undefined;
  return { fraction: Math.min(1, Number(match[1]) / 100), message: line.trim() };
}

/**
 * Splits a tool's output chunks into lines (at `\n` or `\r`, so carriage-return progress bars count)
 * per stream, and calls `onProgress` for each progress line of stdout or stderr. Lines longer than
 * 4 KiB are dropped unread. Feed it from `RunnerJob.onOutput`.
 */
export function progressLineReader(onProgress: (report: ProgressReport) => void): (stream: RunnerStream, chunk: Uint8Array) => void {
  const decoder: Record<RunnerStream, StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const rest: Record<RunnerStream, string> = { stdout: '', stderr: '' };
  return (stream, chunk) => {
    const text = rest[stream] + decoder[stream].write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const lines = text.split(/[\r\n]/);
    const last = lines.pop() ?? '';
    rest[stream] = last.length > 4096 ? '' : last;
    for (const line of lines) {
      const report = line.length <= 4096 ? parseProgressLine(line) : undefined;
      if (report !== undefined) onProgress(report);
    }
  };
}

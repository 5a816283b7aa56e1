import { describe, expect, it } from 'vitest';
import { decodeExitPair, decodeRawStatus, isTerminalState, parseQueueLine, QUEUE_FORMAT } from './slurm-state.js';

describe('SLURM states and exit statuses', () => {
  it('asks squeue for one |-separated line per job or task', () => {
    expect(QUEUE_FORMAT).toBe('JobArrayID:|,State:|,exit_code:|,NodeList:|,Partition:|,Account:|,StartTime:|,EndTime:|,Reason:|');
  });

  it('parses array tasks, plain jobs and pending lines', () => {
    expect(parseQueueLine('12_3|FAILED|768|vm|debug|(null)|2026-11-26T07:41:28|2026-11-26T07:41:29|NonZeroExitCode|')).toEqual({
      key: '12_3',
      state: 'FAILED',
      rawStatus: 768,
      nodes: 'vm',
      partition: 'debug',
      account: '(null)',
      startTime: '2026-11-26T07:41:28',
      endTime: '2026-11-26T07:41:29',
      reason: 'NonZeroExitCode',
    });
    expect(parseQueueLine('7|PENDING|0||debug|lab|N/A|Unknown|Resources|')?.key).toBe('7');
    expect(parseQueueLine('CANCELLED by 0|x')).toBeUndefined();
    expect(parseQueueLine('12_[4-9]|PENDING|0||debug||N/A|N/A|None|')).toBeUndefined();
  });

  it('splits raw wait statuses into exit codes and signals', () => {
    expect(decodeRawStatus(0)).toEqual({ exitCode: 0 });
    expect(decodeRawStatus(3 << 8)).toEqual({ exitCode: 3 });
    expect(decodeRawStatus(9)).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(decodeRawStatus(15)).toEqual({ exitCode: null, signal: 'SIGTERM' });
    expect(decodeExitPair('3:0')).toEqual({ exitCode: 3 });
    expect(decodeExitPair('0:9')).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(decodeExitPair('x')).toBeUndefined();
  });

  it('knows which states end a job', () => {
    for (const state of ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL']) expect(isTerminalState(state), state).toBe(true);
    for (const state of ['PENDING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'CONFIGURING']) expect(isTerminalState(state), state).toBe(false);
  });
});

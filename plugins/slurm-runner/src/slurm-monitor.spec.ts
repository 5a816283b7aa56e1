import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { SlurmMonitor, type QueueObservation } from './slurm-monitor.js';
import type { QueueEntry } from './slurm-state.js';

const entry = (key: string, state: string): QueueEntry => ({
  key,
  state,
  rawStatus: 0,
  nodes: '',
  partition: 'debug',
  account: '',
  startTime: 'N/A',
  endTime: 'N/A',
  reason: 'None',
});

describe('SlurmMonitor', () => {
  let states: Map<string, string>;
  let calls: string[][];
  let failing: boolean;
  let monitor: SlurmMonitor;
  const cli = {
    queue: async (ids: readonly string[]): Promise<QueueEntry[]> => {
      calls.push([...ids]);
      if (failing) throw new RunnerError('UNAVAILABLE', 'squeue failed (exit 1): slurm_load_jobs error: Unable to contact slurm controller');
      return [...states].filter(([key]) => ids.includes(key.split('_')[0] as string)).map(([key, state]) => entry(key, state));
    },
  };

  beforeEach(() => {
    vi.useFakeTimers();
    states = new Map();
    calls = [];
    failing = false;
    monitor = new SlurmMonitor(cli, { pollMinMs: 100, pollMaxMs: 400 });
  });
  afterEach(() => vi.useRealTimers());

  it('asks squeue once per poll about every watched job, each job id once', async () => {
    states.set('5_0', 'RUNNING').set('5_1', 'PENDING').set('6', 'RUNNING');
    const seen: string[] = [];
    const listen = (o: QueueObservation): void => void ('entry' in o && seen.push(`${o.entry.key}:${o.entry.state}`));
    monitor.watch('5_0', listen);
    monitor.watch('5_1', listen);
    monitor.watch('6', listen);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual([['5', '6']]);
    expect(seen.sort()).toEqual(['5_0:RUNNING', '5_1:PENDING', '6:RUNNING']);
  });

  it('backs off while nothing changes, comes back to the minimum on a change, and stops when nothing is watched', async () => {
    const times: number[] = [];
    const timed = new SlurmMonitor({ queue: async (ids) => (times.push(Date.now()), cli.queue(ids)) }, { pollMinMs: 100, pollMaxMs: 400 });
    const t0 = Date.now();
    states.set('7', 'RUNNING');
    const stop = timed.watch('7', () => undefined);
    await vi.advanceTimersByTimeAsync(1713);
    const gaps = (from: number) =>
      times.slice(from).map((t, i) => t - (i === 0 ? (from === 0 ? t0 : (times[from - 1] as number)) : (times[from + i - 1] as number)));
    expect(gaps(0)).toEqual([100, 100, 150, 225, 338, 400, 400]);
    states.set('7', 'COMPLETING');
    await vi.advanceTimersByTimeAsync(650);
    expect(gaps(7)).toEqual([400, 100, 150]);
    stop();
    const before = times.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(times).toHaveLength(before);
  });

  it('reports a job the controller stopped listing after two polls', async () => {
    const seen: QueueObservation[] = [];
    monitor.watch('8', (o) => seen.push(o));
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(150);
    expect(seen).toEqual([{ missing: true }]);
  });

  it('tells watchers after five failed polls in a row', async () => {
    failing = true;
    const seen: QueueObservation[] = [];
    monitor.watch('9', (o) => seen.push(o));
    await vi.advanceTimersByTimeAsync(100 + 150 + 225 + 338);
    expect(calls).toHaveLength(4);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toHaveLength(5);
    expect(seen).toHaveLength(1);
    expect('error' in (seen[0] as QueueObservation) && (seen[0] as { error: RunnerError }).error.message).toContain('Unable to contact');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SubmissionBatcher } from './submission-batcher.js';

describe('SubmissionBatcher', () => {
  let flushed: string[][];
  let batcher: SubmissionBatcher<string>;
  beforeEach(() => {
    vi.useFakeTimers();
    flushed = [];
    batcher = new SubmissionBatcher((items) => flushed.push(items), { batchIdleMs: 100, batchMaxWaitMs: 1000, arrayMaxSize: 3 });
  });
  afterEach(() => vi.useRealTimers());

  it('hands over a group once no job arrived for the idle time', () => {
    batcher.add('run-1', 'a');
    vi.advanceTimersByTime(60);
    batcher.add('run-1', 'b');
    batcher.add('run-2', 'x');
    vi.advanceTimersByTime(60);
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual([['a', 'b'], ['x']]);
    expect(batcher.waiting).toBe(0);
  });

  it('hands over at the maximum wait even while jobs keep coming, and at the maximum size at once', () => {
    const big = new SubmissionBatcher<string>((items) => flushed.push(items), { batchIdleMs: 100, batchMaxWaitMs: 250, arrayMaxSize: 10 });
    for (let i = 0; i < 5; i++) {
      big.add('r', `j${i}`);
      vi.advanceTimersByTime(60);
    }
    expect(flushed).toEqual([['j0', 'j1', 'j2', 'j3', 'j4']]);
    batcher.add('r', '1');
    batcher.add('r', '2');
    batcher.add('r', '3');
    expect(flushed[1]).toEqual(['1', '2', '3']);
    batcher.add('r', '4');
    vi.advanceTimersByTime(100);
    expect(flushed[2]).toEqual(['4']);
  });

  it('gives back a job whose batch was not handed over yet', () => {
    batcher.add('r', 'a');
    batcher.add('r', 'b');
    expect(batcher.remove('a')).toBe(true);
    expect(batcher.remove('a')).toBe(false);
    expect(batcher.remove('b')).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(flushed).toEqual([]);
  });
});

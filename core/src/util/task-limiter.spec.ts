import { describe, expect, it } from 'vitest';
import { TaskLimiter } from './task-limiter.js';

describe('TaskLimiter', () => {
  it('never runs more than the limit at once and runs every task in arrival order', async () => {
    const limiter = new TaskLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          return i * 10;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new TaskLimiter(1);
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
    expect(() => new TaskLimiter(0)).toThrow('limit must be a positive integer (got 0)');
  });
});

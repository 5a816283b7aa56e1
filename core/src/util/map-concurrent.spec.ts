import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapConcurrent', () => {
  it('keeps the input order, starts calls in order, and never runs more than the limit', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await mapConcurrent([5, 1, 4, 2, 3, 1, 2], 3, async (ms, index) => {
      started.push(index);
      running++;
      peak = Math.max(peak, running);
      await tick(ms);
      running--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 10, 20]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it('takes a limit below 1 (or NaN) as 1, Infinity as everything at once, and maps [] to []', async () => {
    for (const [limit, expected] of [
      [0, 1],
      [-2, 1],
      [Number.NaN, 1],
      [2.7, 2],
      [Infinity, 4],
    ] as const) {
      let running = 0;
      let peak = 0;
      await mapConcurrent([1, 2, 3, 4], limit, async () => {
        peak = Math.max(peak, ++running);
        await tick(1);
        running--;
      });
      expect(peak, String(limit)).toBe(expected);
    }
    expect(await mapConcurrent([], 4, () => Promise.reject(new Error('never called')))).toEqual([]);
  });

  it('rejects with the first error (in time) once the calls in flight settle, and starts no new call after it', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const error = await mapConcurrent([0, 1, 2, 3, 4, 5], 3, async (i) => {
      started.push(i);
      if (i === 1) {
        await tick(10);
        throw new Error('later');
      }
      if (i === 2) {
        await tick(2);
        throw new Error('first');
      }
      await tick(30);
      finished.push(i);
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('first');
    // 0 was in flight when 2 failed: it finished before the map rejected; 3, 4, 5 never started.
    expect(finished).toEqual([0]);
    expect(started).toEqual([0, 1, 2]);
  });
});

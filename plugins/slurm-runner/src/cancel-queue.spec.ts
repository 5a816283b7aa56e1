import { describe, expect, it } from 'vitest';
import { CancelQueue } from './cancel-queue.js';

describe('CancelQueue', () => {
  it('sends the cancellations of one tick as one scancel, and SIGKILLs as one more', async () => {
    const calls: [readonly string[], boolean][] = [];
    const queue = new CancelQueue({ cancel: async (keys, kill = false) => void calls.push([keys, kill]) });
    queue.cancel('1_0');
    queue.cancel('1_1');
    queue.cancel('2');
    queue.cancel('1_0');
    queue.cancel('3', true);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      [['1_0', '1_1', '2'], false],
      [['3'], true],
    ]);
    queue.cancel('4');
    await new Promise((r) => setImmediate(r));
    expect(calls[2]).toEqual([['4'], false]);
  });

  it('reports a failing scancel instead of throwing', async () => {
    const errors: unknown[] = [];
    const queue = new CancelQueue({ cancel: async () => Promise.reject(new Error('controller down')) }, (e) => errors.push(e));
    queue.cancel('5');
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
  });
});

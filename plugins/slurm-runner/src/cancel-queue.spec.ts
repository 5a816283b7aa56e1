import { describe, expect, it } from 'vitest';
import { CancelQueue } from './cancel-queue.js';

describe('CancelQueue', () => {
  it('sends the cancellations of one tick as one scancel per mode', async () => {
    const calls: [readonly string[], string][] = [];
    const queue = new CancelQueue({ cancel: async (keys, how = 'cancel') => void calls.push([keys, how]) });
    queue.cancel('1_0');
    queue.cancel('1_1', 'term');
    queue.cancel('2');
    queue.cancel('1_0');
    queue.cancel('3', 'kill');
    queue.cancel('4', 'term');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([
      [['1_0', '2'], 'cancel'],
      [['1_1', '4'], 'term'],
      [['3'], 'kill'],
    ]);
    queue.cancel('5');
    await new Promise((r) => setImmediate(r));
    expect(calls[3]).toEqual([['5'], 'cancel']);
  });

  it('reports a failing scancel instead of throwing', async () => {
    const errors: unknown[] = [];
    const queue = new CancelQueue({ cancel: async () => Promise.reject(new Error('controller down')) }, (e) => errors.push(e));
    queue.cancel('5');
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toHaveLength(1);
  });
});

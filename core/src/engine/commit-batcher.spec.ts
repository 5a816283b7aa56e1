import { describe, expect, it } from 'vitest';
import type { DataItem } from '../model/data-item.js';
import type { NewProcessedItem } from '../model/run.js';
import { CommitBatcher } from './commit-batcher.js';

const newItem = (name: string) => ({ name }) as unknown as NewProcessedItem;
const asItems = (items: readonly NewProcessedItem[]) => items.map((i) => ({ id: `id-${i.name}`, name: i.name }) as unknown as DataItem);

describe('CommitBatcher', () => {
  it('commits up to maxJobs jobs per call, in order, and the rest on flush', async () => {
    const calls: string[][] = [];
    const batcher = new CommitBatcher(
      async (items) => {
        calls.push(items.map((i) => i.name));
        return asItems(items);
      },
      { maxJobs: 3, maxDelayMs: 60_000 },
    );
    const results = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => batcher.add([newItem(n), newItem(`${n}2`)]));
    await batcher.flush();
    expect(calls.map((c) => c.length)).toEqual([6, 6, 2]);
    expect((await results[4])?.map((i) => i.id)).toEqual(['id-e', 'id-e2']);
  });

  it('commits on its own after maxDelayMs', async () => {
    let committed = 0;
    const batcher = new CommitBatcher(
      async (items) => {
        committed += items.length;
        return asItems(items);
      },
      { maxJobs: 100, maxDelayMs: 1 },
    );
    await batcher.add([newItem('x')]);
    expect(committed).toBe(1);
  });

  it('retries a failed batch job by job so one bad job does not fail the others', async () => {
    const batcher = new CommitBatcher(
      async (items) => {
        if (items.some((i) => i.name === 'bad')) throw new Error('bad item');
        return asItems(items);
      },
      { maxJobs: 10, maxDelayMs: 60_000 },
    );
    const good = batcher.add([newItem('good')]);
    const bad = batcher.add([newItem('bad')]);
    await batcher.flush();
    await expect(good).resolves.toHaveLength(1);
    await expect(bad).rejects.toThrow('bad item');
  });
});

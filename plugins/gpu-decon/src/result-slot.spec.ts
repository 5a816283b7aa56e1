import { describe, expect, it } from 'vitest';
import { ResultSlot } from './result-slot.js';

/** An addon stand-in that records what goes back to its pool. */
function pool(): { recycled: Float32Array[]; recycle(array: Float32Array): number } {
  const recycled: Float32Array[] = [];
  return { recycled, recycle: (array) => (recycled.push(array), array.byteLength) };
}

describe('ResultSlot', () => {
  it('hands the kept array to one job at a time', () => {
    const slot = new ResultSlot();
    const addon = pool();
    const a = new Float32Array(4);
    expect(slot.take()).toBeUndefined();
    slot.give(addon, a);
    expect(slot.take()).toBe(a);
    // Taken: a second, concurrent job gets nothing and must make its own result.
    expect(slot.take()).toBeUndefined();
    expect(addon.recycled).toEqual([]);
  });

  it('recycles what a job took but could not use, and what an earlier job left when another finishes', () => {
    const slot = new ResultSlot();
    const addon = pool();
    const taken = new Float32Array(4);
    const made = new Float32Array(8);
    slot.give(addon, made, taken);
    expect(addon.recycled).toEqual([taken]);
    const second = new Float32Array(8);
    slot.give(addon, second);
    expect(addon.recycled).toEqual([taken, made]);
    // Giving back the array it used (taken === result) recycles nothing.
    const kept = slot.take()!;
    slot.give(addon, kept, kept);
    expect(addon.recycled).toHaveLength(2);
    slot.release(addon);
    expect(addon.recycled).toEqual([taken, made, second]);
    expect(slot.take()).toBeUndefined();
  });
});

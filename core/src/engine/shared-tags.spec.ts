import { describe, expect, it } from 'vitest';
import { sharedTags } from './shared-tags.js';

describe('sharedTags', () => {
  it('keeps the keys every set carries with the same value, in the order of the first', () => {
    const tags = sharedTags([
      { Well: 'A01', Population: 'population1', number: '001', Plate: 'p' },
      { Plate: 'p', Population: 'population2', number: '001', Well: 'A01' },
      { Well: 'A01', number: '001', Plate: 'p' },
    ]);
    expect(tags).toEqual({ Well: 'A01', number: '001', Plate: 'p' });
    expect(Object.keys(tags)).toEqual(['Well', 'number', 'Plate']);
  });

  it('is the tags of a single set, and nothing for no set', () => {
    expect(sharedTags([{ Population: 'population1' }])).toEqual({ Population: 'population1' });
    expect(sharedTags([])).toEqual({});
    expect(sharedTags([{ a: '' }, { b: '' }])).toEqual({});
  });
});

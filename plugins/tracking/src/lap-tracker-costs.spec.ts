import { describe, expect, it } from 'vitest';
import { CandidateLinks, chooseLinks, percentile } from './lap-tracker-costs.js';

function links(list: [number, number, number][]): CandidateLinks {
  const c = new CandidateLinks();
  for (const [r, col, cost] of list) c.add(r, col, cost);
  return c;
}

describe('percentile', () => {
  it('interpolates between order statistics without reordering its input', () => {
    const values = Float64Array.from([5, 1, 4, 2, 3, 99]);
    expect(percentile(values, 5, 0.9)).toBeCloseTo(4.6, 12);
    expect(percentile(values, 5, 1)).toBe(5);
    expect(percentile(values, 1, 0.9)).toBe(5);
    expect(Array.from(values)).toEqual([5, 1, 4, 2, 3, 99]);
  });
});

describe('CandidateLinks', () => {
  it('grows past its initial capacity', () => {
    const c = new CandidateLinks();
    for (let k = 0; k < 1000; k++) c.add(k, k + 1, k / 2);
    expect([c.length, c.rows[999], c.cols[999], c.costs[999]]).toEqual([1000, 999, 1000, 499.5]);
  });
});

describe('chooseLinks', () => {
  const scheme = { alternativeCostFactor: 1.05, cutoffPercentile: 0.9 };

  it('declines a link dearer than twice the alternative less the cheapest cost', () => {
    // Costs 1 and 10: alternative 1.05 · 9.1 = 9.555; 10 + 1 < 19.11 is taken, 1 + 1 too.
    expect(
      Array.from(
        chooseLinks(
          links([
            [0, 0, 1],
            [1, 1, 10],
          ]),
          2,
          2,
          scheme,
        ),
      ),
    ).toEqual([0, 1]);
    // With many cheap links, the 90th percentile is cheap and an outlier stays unlinked.
    const many: [number, number, number][] = Array.from({ length: 20 }, (_, k) => [k, k, 1]);
    many.push([20, 20, 50]);
    const chosen = chooseLinks(links(many), 21, 21, scheme);
    expect(chosen[20]).toBe(-1);
    expect(chosen[0]).toBe(0);
  });

  it('links spots that did not move (all costs 0)', () => {
    expect(
      Array.from(
        chooseLinks(
          links([
            [0, 0, 0],
            [1, 1, 0],
          ]),
          2,
          2,
          scheme,
        ),
      ),
    ).toEqual([0, 1]);
  });

  it('returns all -1 without candidates', () => {
    expect(Array.from(chooseLinks(new CandidateLinks(), 3, 2, scheme))).toEqual([-1, -1, -1]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectLinks } from './one-to-one.js';

const pairsArbitrary = fc
  .array(fc.tuple(fc.nat(15), fc.nat(15), fc.double({ min: -10, max: 30, noNaN: true })), { maxLength: 120 })
  .map((rows) => ({
    left: rows.map((r) => r[0]),
    right: rows.map((r) => r[1]),
    weight: rows.map((r) => r[2]),
    count: rows.length,
  }));

describe('one-to-one', () => {
  it('never uses a left or right id twice in "both" mode, and keeps only pairs above the threshold', () => {
    fc.assert(
      fc.property(pairsArbitrary, (pairs) => {
        const chosen = selectLinks(pairs, 'both', 0);
        const lefts = chosen.map((i) => pairs.left[i]);
        const rights = chosen.map((i) => pairs.right[i]);
        expect(new Set(lefts).size).toBe(lefts.length);
        expect(new Set(rights).size).toBe(rights.length);
        for (const i of chosen) expect(pairs.weight[i]).toBeGreaterThanOrEqual(0);
        // maximal: every pair left out above the threshold clashes with a chosen one
        for (let i = 0; i < pairs.count; i++) {
          if (pairs.weight[i]! < 0 || chosen.includes(i)) continue;
          expect(lefts.includes(pairs.left[i]) || rights.includes(pairs.right[i])).toBe(true);
        }
      }),
      { seed: 2, numRuns: 300 },
    );
  });
  it('keeps the best right record per left record in "left" mode', () => {
    fc.assert(
      fc.property(pairsArbitrary, (pairs) => {
        const chosen = selectLinks(pairs, 'left', 0);
        const lefts = chosen.map((i) => pairs.left[i]);
        expect(new Set(lefts).size).toBe(lefts.length);
        for (const i of chosen) {
          for (let j = 0; j < pairs.count; j++) {
            if (pairs.left[j] === pairs.left[i])
              expect(pairs.weight[j]!).toBeLessThanOrEqual(pairs.weight[i]!);
          }
        }
      }),
      { seed: 3, numRuns: 300 },
    );
  });
  it('resolves a contested right record greedily by weight', () => {
    const pairs = { left: [0, 1, 1], right: [0, 0, 1], weight: [10, 12, 5], count: 3 };
    expect(selectLinks(pairs, 'both', 0)).toEqual([1]);
    expect(selectLinks(pairs, 'left', 0)).toEqual([1, 0]);
    expect(selectLinks(pairs, 'none', 6)).toEqual([1, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { type BlockingRule, createBlockingIndex, generateCandidatePairs } from './blocking.js';

interface R {
  readonly id: string;
  readonly a?: string;
  readonly b?: string;
}
const rules: BlockingRule<R>[] = [
  { name: 'a', key: (r) => r.a },
  { name: 'b', key: (r) => r.b },
];
const left: R[] = [{ id: 'l1', a: 'x', b: 'p' }, { id: 'l2', a: 'y', b: 'q' }, { id: 'l3' }];
const right: R[] = [
  { id: 'r1', a: 'x', b: 'p' },
  { id: 'r2', a: 'x', b: 'q' },
  { id: 'r3', a: 'z', b: 'q' },
  { id: 'r4' },
];

describe('blocking', () => {
  it('takes the union of the rules, each pair once, and reports per rule', () => {
    const pairs = generateCandidatePairs(rules, left, right, {
      labels: [
        ['l1', 'r1'],
        ['l2', 'r3'],
        ['l3', 'r4'],
      ],
      leftId: (r) => r.id,
      rightId: (r) => r.id,
    });
    const got = Array.from(
      { length: pairs.count },
      (_, i) => `${left[pairs.left[i]!]!.id}-${right[pairs.right[i]!]!.id}`,
    );
    expect(got.sort()).toEqual(['l1-r1', 'l1-r2', 'l2-r2', 'l2-r3']);
    expect(pairs.report.rules).toEqual([
      { name: 'a', pairs: 2, newPairs: 2, recall: 1 / 3 },
      { name: 'b', pairs: 3, newPairs: 2, recall: 2 / 3 },
    ]);
    expect(pairs.report.totalPairs).toBe(4);
    expect(pairs.report.comparisonSpace).toBe(12);
    expect(pairs.report.recall).toBeCloseTo(2 / 3);
  });
  it('skips blocks above the size cap and serves single queries from the index', () => {
    const capped = generateCandidatePairs([{ name: 'b', key: (r: R) => r.b, maxBlockSize: 1 }], left, right);
    expect(capped.count).toBe(1);
    const index = createBlockingIndex(rules, right);
    const seen: number[] = [];
    expect(index.candidates({ id: 'new', a: 'x', b: 'q' }, (j) => seen.push(j))).toBe(4);
    expect(seen.sort()).toEqual([0, 1, 2]);
  });
});

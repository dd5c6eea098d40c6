import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BlockingRule,
  createBlockingIndex,
  forEachCandidate,
  generateCandidatePairs,
  storedBlockingLookup,
} from './blocking.js';
import { blockingKeyHash } from './blocking-key-hash.js';

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
  it('reports the pairs a capped rule skips, and caps a partial index by the roll-wide size it is given', () => {
    const capped = generateCandidatePairs([{ name: 'b', key: (r: R) => r.b, maxBlockSize: 1 }], left, right);
    expect(capped.report.rules).toEqual([{ name: 'b', pairs: 1, newPairs: 1, skippedPairs: 2 }]);
    const cappedRules: BlockingRule<R>[] = [rules[0]!, { ...rules[1]!, maxBlockSize: 1 }];
    // Only r1 is indexed: its b-block holds one record here, but the roll-wide block of 'p' is said to hold 5.
    const partial = createBlockingIndex(cappedRules, [right[0]!], (rule, key) =>
      rule === 1 && key === 'p' ? 5 : 1,
    );
    const seen: string[] = [];
    partial.candidates({ id: 'new', b: 'p' }, (j, rule) => seen.push(`${j}/${rule}`));
    expect(seen).toEqual([]);
    partial.candidates({ id: 'new', a: 'x', b: 'p' }, (j, rule) => seen.push(`${j}/${rule}`));
    expect(seen).toEqual(['0/0']);
  });
  it('gives the union of the rules, each pair once, like a naive double loop (property)', () => {
    const record = fc.record({
      id: fc.string(),
      a: fc.constantFrom('x', 'y', 'z', ''),
      b: fc.constantFrom('p', 'q'),
    });
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 12 }),
        fc.array(record, { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        (ls, rs, cap) => {
          const rs2: BlockingRule<R>[] = [rules[0]!, { ...rules[1]!, maxBlockSize: cap }];
          const got = generateCandidatePairs(rs2, ls, rs);
          const pairs = Array.from({ length: got.count }, (_, i) => `${got.left[i]}-${got.right[i]}`);
          const expected: string[] = [];
          ls.forEach((l, i) => {
            rs.forEach((r, j) => {
              const blockB = rs.filter((o) => o.b === l.b).length;
              if ((l.a !== '' && l.a === r.a) || (l.b === r.b && blockB <= cap)) expected.push(`${i}-${j}`);
            });
          });
          expect(pairs.sort()).toEqual(expected.sort());
        },
      ),
    );
  });
  it('checks one record against a few in place as the index would: each agreeing one once, caps counted here (property)', () => {
    // A key absent or empty: no block under that rule.
    const record = fc.record(
      { id: fc.string(), a: fc.constantFrom('x', 'y', ''), b: fc.constantFrom('p', 'q', 'r') },
      { requiredKeys: ['id'] },
    );
    fc.assert(
      fc.property(
        record,
        fc.array(record, { maxLength: 14 }),
        fc.integer({ min: 1, max: 5 }),
        (one, rs, cap) => {
          const capped: BlockingRule<R>[] = [rules[0]!, { ...rules[1]!, maxBlockSize: cap }];
          const indexed = new Map<number, number>();
          createBlockingIndex(capped, rs).candidates(one, (j, rule) => indexed.set(j, rule));
          const scanned = new Map<number, number>();
          const n = forEachCandidate(capped, one, rs, (j, rule) => {
            expect(scanned.has(j)).toBe(false);
            scanned.set(j, rule);
          });
          expect([...scanned.keys()]).toEqual([...indexed.keys()].sort((x, y) => x - y));
          expect(n).toBe(scanned.size);
          // The rule given is one under which the two agree.
          for (const [j, rule] of scanned) expect(capped[rule]!.key(rs[j]!)).toBe(capped[rule]!.key(one));
        },
      ),
    );
  });
  it('finds through stored keys and roll-wide counts exactly the pairs the batch finds, with a cap (property)', async () => {
    const record = fc.record({
      id: fc.string(),
      a: fc.constantFrom('x', 'y', ''),
      b: fc.constantFrom('p', 'q', 'r'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 10 }),
        fc.array(record, { maxLength: 14 }),
        fc.integer({ min: 1, max: 5 }),
        async (ls, rs, cap) => {
          const capped: BlockingRule<R>[] = [rules[0]!, { ...rules[1]!, maxBlockSize: cap }];
          const batch = generateCandidatePairs(capped, ls, rs);
          const expected = Array.from(
            { length: batch.count },
            (_, i) => `${batch.left[i]}-${batch.right[i]}`,
          );
          // The stored keys: (hash, roll index) for every rule; counts and look-ups read them, as the store does.
          const stored = rs.flatMap((r, j) =>
            capped.flatMap((rule, k) => {
              const key = rule.key(r);
              return key === undefined || key === '' ? [] : [{ hash: blockingKeyHash(k, key), j }];
            }),
          );
          const countHashes = async (hashes: readonly number[], atMost: number) => {
            const out = new Map<number, number>();
            for (const h of hashes) {
              const n = Math.min(stored.filter((s) => s.hash === h).length, atMost);
              if (n > 0) out.set(h, n);
            }
            return out;
          };
          const got: string[] = [];
          const scanned: string[] = [];
          for (let i = 0; i < ls.length; i++) {
            const lookup = await storedBlockingLookup(capped, [ls[i]!], countHashes);
            const found = [...new Set(stored.filter((s) => lookup.hashes.includes(s.hash)).map((s) => s.j))];
            const index = createBlockingIndex(
              capped,
              found.map((j) => rs[j]!),
              lookup.blockSize,
            );
            index.candidates(ls[i]!, (m) => got.push(`${i}-${found[m]}`));
            // One record's candidates checked in place, without an index: the same pairs.
            forEachCandidate(
              capped,
              ls[i]!,
              found.map((j) => rs[j]!),
              (m) => scanned.push(`${i}-${found[m]}`),
              lookup.blockSize,
            );
          }
          expect(got.sort()).toEqual(expected.sort());
          expect(scanned.sort()).toEqual(expected.sort());
        },
      ),
    );
  });
});

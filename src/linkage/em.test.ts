import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectationMaximisation, initialM, type PatternCounts } from './em.js';
import { createRandom } from './random.js';

/** Draws `n` comparison vectors from a known two-class model and compresses them into pattern counts. */
function generate(lambda: number, m: number[][], u: number[][], n: number, seed: number): PatternCounts {
  const random = createRandom(seed);
  const K = m.length;
  const counts = new Map<string, number>();
  const draw = (probabilities: number[]) => {
    let x = random.next();
    for (let l = 0; l < probabilities.length; l++) {
      x -= probabilities[l]!;
      if (x < 0) return l;
    }
    return probabilities.length - 1;
  };
  for (let i = 0; i < n; i++) {
    const match = random.next() < lambda;
    const key = (match ? m : u).map((p) => draw(p)).join(',');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const keys = [...counts.keys()];
  const patterns = new Uint8Array(keys.length * K);
  for (const [p, key] of keys.entries()) {
    for (const [k, l] of key.split(',').entries()) patterns[p * K + k] = Number(l);
  }
  return {
    levelCounts: m.map((levels) => levels.length),
    nullLevels: m.map((levels) => levels.map(() => false)),
    patterns,
    counts: Float64Array.from(keys, (k) => counts.get(k)!),
    size: keys.length,
  };
}

const distribution = (head: number, levels: number) => {
  const rest = (1 - head) / (levels - 1);
  return [head, ...Array.from({ length: levels - 1 }, () => rest)];
};

describe('expectation-maximisation', () => {
  it('recovers m, u and λ of a known model (property, seeded)', () => {
    const model = fc.record({
      lambda: fc.double({ min: 0.1, max: 0.5, noNaN: true }),
      comparisons: fc.array(
        fc.record({
          levels: fc.integer({ min: 2, max: 4 }),
          mAgree: fc.double({ min: 0.75, max: 0.95, noNaN: true }),
          uAgree: fc.double({ min: 0.02, max: 0.2, noNaN: true }),
        }),
        { minLength: 4, maxLength: 6 },
      ),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(model, ({ lambda, comparisons, seed }) => {
        const m = comparisons.map((c) => distribution(c.mAgree, c.levels));
        // non-matches rarely agree (level 0); the rest of u is spread over the other levels.
        const u = comparisons.map((c) => distribution(c.uAgree, c.levels));
        const data = generate(lambda, m, u, 40_000, seed);
        const fit = expectationMaximisation(
          data,
          {
            lambda: 0.2,
            m: comparisons.map((c) => initialM(Array.from({ length: c.levels }, () => ({})))),
            u: comparisons.map((c) => Array.from({ length: c.levels }, () => 1 / c.levels)),
          },
          { maxIterations: 500, tolerance: 1e-7 },
        );
        expect(Math.abs(fit.lambda - lambda)).toBeLessThan(0.02);
        for (const [k, levels] of m.entries()) {
          for (const [l, p] of levels.entries()) {
            expect(Math.abs(fit.m[k]![l]! - p)).toBeLessThan(0.03);
            expect(Math.abs(fit.u[k]![l]! - u[k]![l]!)).toBeLessThan(0.03);
          }
        }
      }),
      { seed: 20240601, numRuns: 12 },
    );
  });

  it('keeps u when asked to, and leaves missing levels out', () => {
    const m = [
      [0.9, 0.1],
      [0.85, 0.15],
      [0.8, 0.2],
    ];
    const u = [
      [0.05, 0.95],
      [0.1, 0.9],
      [0.2, 0.8],
    ];
    const base = generate(0.3, m, u, 20_000, 9);
    // Widen each comparison with a missing level that no pattern uses.
    const data: PatternCounts = {
      ...base,
      levelCounts: [3, 3, 3],
      nullLevels: [
        [false, false, true],
        [false, false, true],
        [false, false, true],
      ],
    };
    const fit = expectationMaximisation(
      data,
      { lambda: 0.1, m: m.map(() => [0.7, 0.3, 1]), u: u.map((levels) => [...levels, 1]) },
      { fixU: true, maxIterations: 500 },
    );
    expect(fit.u).toEqual(u.map((levels) => [...levels, 1]));
    expect(fit.converged).toBe(true);
    expect(fit.m.map((levels) => levels[2])).toEqual([1, 1, 1]);
    expect(fit.m[0]![0]!).toBeCloseTo(0.9, 1);
    expect(fit.lambda).toBeCloseTo(0.3, 1);
  });
});

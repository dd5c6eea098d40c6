import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  benjaminiHochberg,
  binomialUpperTail,
  logGamma,
  poissonUpperTail,
  regularizedBeta,
  regularizedGammaP,
} from './stats.js';

/** Exact tails by direct summation, in log space: the reference the fast forms are checked against. */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}
function exactBinomialTail(k: number, n: number, p: number): number {
  let total = 0;
  for (let i = k; i <= n; i++)
    total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return total;
}
function exactPoissonTail(k: number, lambda: number): number {
  let below = 0;
  let term = Math.exp(-lambda);
  for (let i = 0; i < k; i++) {
    below += term;
    term *= lambda / (i + 1);
  }
  return 1 - below;
}

describe('logGamma and the incomplete functions', () => {
  it('matches factorials and closed forms', () => {
    for (let n = 1; n <= 20; n++) {
      let factorial = 1;
      for (let i = 2; i < n; i++) factorial *= i;
      expect(logGamma(n)).toBeCloseTo(Math.log(factorial), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(regularizedBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(regularizedGammaP(1, 1)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(regularizedGammaP(1, 30)).toBeCloseTo(1, 12);
  });
});

describe('binomialUpperTail', () => {
  it('equals known values', () => {
    // P(X ≥ 3 | n = 10, p = 0.1) = 1 − Σ_{i<3} C(10,i) 0.1^i 0.9^(10−i) = 0.0701908264
    expect(binomialUpperTail(3, 10, 0.1)).toBeCloseTo(0.0701908264, 9);
    // P(X ≥ 8 | n = 10, p = 0.5) = (45 + 10 + 1) / 1024
    expect(binomialUpperTail(8, 10, 0.5)).toBeCloseTo(56 / 1024, 12);
    expect(binomialUpperTail(0, 10, 0.5)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.5)).toBe(0);
    expect(binomialUpperTail(1, 10, 0)).toBe(0);
  });

  it('equals the exact sum over n, k and p', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.double({ min: 0.0005, max: 0.9, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p, at) => {
          const k = Math.max(1, Math.round(at * n));
          const exact = exactBinomialTail(k, n, p);
          const fast = binomialUpperTail(k, n, p);
          expect(Math.abs(fast - exact)).toBeLessThan(1e-9 + exact * 1e-7);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays accurate far in the tail, where handler p-values live', () => {
    const exact = exactBinomialTail(12, 2000, 0.001);
    expect(exact).toBeLessThan(1e-5);
    expect(binomialUpperTail(12, 2000, 0.001) / exact).toBeCloseTo(1, 8);
  });
});

describe('poissonUpperTail', () => {
  it('equals known values and the exact sum', () => {
    // P(X ≥ 4 | λ = 1) = 1 − e^-1 (1 + 1 + 1/2 + 1/6)
    expect(poissonUpperTail(4, 1)).toBeCloseTo(1 - Math.exp(-1) * (8 / 3), 12);
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(2, 0)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.001, max: 40, noNaN: true }),
        (k, l) => {
          const exact = exactPoissonTail(k, l);
          expect(Math.abs(poissonUpperTail(k, l) - exact)).toBeLessThan(1e-9 + exact * 1e-7);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('benjaminiHochberg', () => {
  it('adjusts p-values step-up, keeping the order given', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    expect(q[0]).toBeCloseTo(0.04, 12);
    expect(q[1]).toBeCloseTo(0.04 * (4 / 3), 12);
    expect(q[2]).toBeCloseTo(0.04 * (4 / 3), 12);
    expect(q[3]).toBeCloseTo(0.2, 12);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(benjaminiHochberg([0.9, 0.8])).toEqual([0.9, 0.9]);
  });

  it('is monotone in p and never below p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (ps) => {
          const q = benjaminiHochberg(ps);
          ps.forEach((p, i) => {
            expect(q[i]!).toBeGreaterThanOrEqual(p - 1e-15);
            ps.forEach((p2, j) => {
              if (p < p2) expect(q[i]!).toBeLessThanOrEqual(q[j]! + 1e-15);
            });
          });
        },
      ),
    );
  });
});

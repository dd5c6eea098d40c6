/**
 * The tests handler risk rests on: one-sided binomial and Poisson upper tails (through the regularised incomplete
 * beta and gamma functions, so that a tail over 100,000 trials costs a few dozen terms, not 100,000), and
 * Benjamini–Hochberg control of the false-discovery rate over many handlers.
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits).
 * @example logGamma(5) // ln 24
 */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;

/** Continued fraction of the incomplete beta (Lentz's method, as Numerical Recipes' betacf). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/**
 * The regularised incomplete beta I_x(a, b).
 * @example regularizedBeta(0.5, 2, 2) // 0.5
 */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * The regularised lower incomplete gamma P(a, x).
 * @example regularizedGammaP(1, 1) // 1 - e^-1
 */
export function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.min(1, sum * Math.exp(logFront));
  }
  // Continued fraction for Q(a, x), then P = 1 - Q.
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.max(0, 1 - Math.exp(logFront) * h);
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p): the one-sided p-value of seeing k or more events in n trials at rate p.
 * @example binomialUpperTail(3, 10, 0.1) // 0.0702…
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  // P(X ≥ k) = I_p(k, n − k + 1).
  return clamp01(regularizedBeta(p, k, n - k + 1));
}

/**
 * P(X ≥ k) for X ~ Poisson(λ): the one-sided p-value of seeing k or more events where λ were expected.
 * @example poissonUpperTail(4, 1) // 0.0190…
 */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // P(X ≥ k) = P(k, λ), the regularised lower incomplete gamma.
  return clamp01(regularizedGammaP(k, lambda));
}

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));

/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the order given: a hypothesis is a discovery at false-
 * discovery rate α when its q-value ≤ α.
 * @example benjaminiHochberg([0.01, 0.04, 0.03, 0.2]) // [0.04, 0.0533…, 0.0533…, 0.2]
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const q = new Array<number>(m).fill(1);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    q[i] = Math.min(1, running);
  }
  return q;
}

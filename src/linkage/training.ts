import type { CandidatePairs } from './blocking.js';
import type { AnyComparison } from './comparison.js';
import { type EmResult, expectationMaximisation, initialM, type PatternCounts } from './em.js';
import type { ModelParameters } from './model.js';
import type { PreparedRecord } from './prepare-records.js';
import { createRandom } from './random.js';

/** Comparison vectors of the candidate pairs: the distinct patterns with counts, and each pair's pattern. */
export interface ComparedPairs extends PatternCounts {
  /** pairPattern[i] = index of pair i's pattern. */
  readonly pairPattern: Uint32Array;
}

/**
 * Compares every candidate pair once (the hot loop) and compresses the vectors into distinct patterns.
 * @example const compared = comparePairs(comparisons, left, right, candidates);
 */
export function comparePairs<T>(
  comparisons: readonly AnyComparison<T>[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  pairs: Pick<CandidatePairs, 'left' | 'right' | 'count'>,
): ComparedPairs {
  const K = comparisons.length;
  const radix = patternRadix(comparisons);
  const compare = comparisons.map((c) => c.compare);
  const keys = new Float64Array(pairs.count);
  for (let i = 0; i < pairs.count; i++) {
    const a = left[pairs.left[i]!]!.values;
    const b = right[pairs.right[i]!]!.values;
    let key = 0;
    for (let k = 0; k < K; k++) key += compare[k]!(a[k], b[k]) * radix[k]!;
    keys[i] = key;
  }
  return comparedFromPatternKeys(comparisons, keys);
}

/**
 * The place value of each comparison's level in a pattern key: key = Σ level[k] × radix[k], mixed radix over the
 * level counts.
 * @example patternRadix(comparisons) // Float64Array [1, 4, 12, …]
 */
export function patternRadix(comparisons: readonly { readonly levels: readonly unknown[] }[]): Float64Array {
  const radix = new Float64Array(comparisons.length);
  let space = 1;
  comparisons.forEach((c, k) => {
    radix[k] = space;
    space *= c.levels.length;
  });
  if (space > Number.MAX_SAFE_INTEGER) throw new Error('too many comparison levels to encode a pattern');
  return radix;
}

/** Key spaces up to this size are numbered through a dense array (the usual case); larger ones through a Map. */
const DENSE_PATTERN_SPACE = 1 << 22;

/**
 * The distinct patterns of the pairs' keys (see patternRadix), numbered in order of first appearance, with their
 * counts and each pair's pattern.
 * @example const compared = comparedFromPatternKeys(comparisons, keys);
 */
export function comparedFromPatternKeys(
  comparisons: readonly { readonly levels: readonly { readonly isNull?: boolean }[] }[],
  pairKeys: ArrayLike<number>,
): ComparedPairs {
  const K = comparisons.length;
  const levelCounts = comparisons.map((c) => c.levels.length);
  const space = levelCounts.reduce((a, b) => a * b, 1);
  const dense = space <= DENSE_PATTERN_SPACE ? new Int32Array(space).fill(-1) : undefined;
  const sparse = new Map<number, number>();
  const keys: number[] = [];
  const patternCounts: number[] = [];
  const pairPattern = new Uint32Array(pairKeys.length);
  for (let p = 0; p < pairKeys.length; p++) {
    const key = pairKeys[p]!;
    let pattern = dense === undefined ? (sparse.get(key) ?? -1) : dense[key]!;
    if (pattern < 0) {
      pattern = keys.length;
      if (dense === undefined) sparse.set(key, pattern);
      else dense[key] = pattern;
      keys.push(key);
      patternCounts.push(0);
    }
    patternCounts[pattern]!++;
    pairPattern[p] = pattern;
  }
  const patterns = new Uint8Array(keys.length * K);
  keys.forEach((key, p) => {
    let rest = key;
    for (let k = 0; k < K; k++) {
      patterns[p * K + k] = rest % levelCounts[k]!;
      rest = Math.floor(rest / levelCounts[k]!);
    }
  });
  return {
    levelCounts,
    nullLevels: comparisons.map((c) => c.levels.map((l) => l.isNull === true)),
    patterns,
    counts: Float64Array.from(patternCounts),
    size: keys.length,
    pairPattern,
  };
}

export interface USampleOptions {
  /** Random pairs to draw (default 1,000,000, or every pair when there are fewer). */
  readonly pairs?: number;
  readonly seed?: number;
}

/**
 * u = P(level | non-match), estimated from random pairs (almost all of which are non-matches), normalised over the
 * non-missing levels; a level never seen in the sample gets half a pair's share rather than 0.
 * @example const u = estimateU(comparisons, left, right, { pairs: 200_000, seed: 1 });
 */
export function estimateU<T>(
  comparisons: readonly AnyComparison<T>[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  options: USampleOptions = {},
): number[][] {
  const space = left.length * right.length;
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  if (space === 0) return counts.map((c) => [...c].map(() => 1 / c.length));
  const wanted = options.pairs ?? 1_000_000;
  const random = createRandom(options.seed ?? 1);
  const all = space <= wanted;
  const n = all ? space : wanted;
  for (let s = 0; s < n; s++) {
    const i = all ? Math.floor(s / right.length) : random.int(left.length);
    const j = all ? s % right.length : random.int(right.length);
    const a = left[i]!.values;
    const b = right[j]!.values;
    for (let k = 0; k < comparisons.length; k++) counts[k]![comparisons[k]!.compare(a[k], b[k])]!++;
  }
  return comparisons.map((c, k) => {
    const levelCounts = counts[k]!;
    let total = 0;
    c.levels.forEach((level, l) => {
      if (!level.isNull) total += Math.max(levelCounts[l]!, 0.5);
    });
    return c.levels.map((level, l) => (level.isNull ? 1 : Math.max(levelCounts[l]!, 0.5) / total));
  });
}

/** How λ (the prior) is set. */
export type PriorMethod =
  /** From EM: the expected number of matches among the candidate pairs, over all pairs. */
  | { readonly kind: 'em' }
  /**
   * From deterministic rules (e.g. exact ID): the pairs they accept, divided by their assumed recall, over all
   * pairs. Also starts EM there.
   */
  | { readonly kind: 'deterministic'; readonly matches: number; readonly recall: number }
  | { readonly kind: 'fixed'; readonly probability: number };

export interface TrainingOptions {
  readonly u?: USampleOptions;
  readonly em?: {
    readonly maxIterations?: number;
    readonly tolerance?: number;
    readonly fixU?: boolean;
  };
  readonly prior?: PriorMethod;
}

export interface TrainingResult {
  readonly parameters: ModelParameters;
  readonly em: EmResult;
  /** u from random pairs, per comparison level. */
  readonly uRandom: readonly (readonly number[])[];
  /** λ among the candidate pairs, as EM found it. */
  readonly lambdaAmongCandidates: number;
}

/**
 * Trains a Fellegi–Sunter model without labels: u from random pairs, m by EM over the candidate pairs (u estimated
 * alongside among the candidates unless `fixU`), λ by the prior method.
 * @example const { parameters } = trainModel(comparisons, left, right, comparePairs(comparisons, left, right, pairs));
 */
export function trainModel<T>(
  comparisons: readonly AnyComparison<T>[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  compared: PatternCounts,
  options: TrainingOptions = {},
): TrainingResult {
  const uRandom = estimateU(comparisons, left, right, options.u);
  const candidates = sum(compared.counts);
  const space = left.length * right.length;
  const prior = options.prior ?? { kind: 'em' };
  const startLambda =
    prior.kind === 'deterministic'
      ? prior.matches / Math.max(prior.recall, 1e-9) / Math.max(candidates, 1)
      : Math.min(left.length, right.length) / Math.max(candidates, 1);
  const em = expectationMaximisation(
    compared,
    {
      lambda: clamp(startLambda, 1e-4, 0.5),
      m: comparisons.map((c) => initialM(c.levels)),
      u: uRandom,
    },
    options.em ?? {},
  );
  const lambda =
    prior.kind === 'fixed'
      ? prior.probability
      : prior.kind === 'deterministic'
        ? prior.matches / Math.max(prior.recall, 1e-9) / Math.max(space, 1)
        : (em.lambda * candidates) / Math.max(space, 1);
  const parameters: ModelParameters = {
    probabilityTwoRandomRecordsMatch: clamp(lambda, 1e-12, 1 - 1e-9),
    comparisons: comparisons.map((c, k) => ({
      name: c.name,
      levels: c.levels.map((level, l) => ({
        label: level.label,
        isNull: level.isNull === true,
        m: level.isNull ? 1 : em.m[k]![l]!,
        u: level.isNull ? 1 : uRandom[k]![l]!,
      })),
    })),
  };
  return { parameters, em, uRandom, lambdaAmongCandidates: em.lambda };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}

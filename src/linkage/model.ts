import type { AnyComparison } from './comparison.js';
import type { PreparedRecord } from './prepare-records.js';

/**
 * Fellegi–Sunter parameters as plain data (JSON- and worker-friendly).
 * For each comparison level: m = P(level | match), u = P(level | non-match), each normalised over the non-missing
 * levels; the missing level carries m = u = 1, i.e. weight 0.
 */
export interface ModelParameters {
  /** λ: the probability that two records drawn at random (one per side) are the same entity. */
  readonly probabilityTwoRandomRecordsMatch: number;
  readonly comparisons: readonly ComparisonParameters[];
}

export interface ComparisonParameters {
  readonly name: string;
  readonly levels: readonly LevelParameters[];
}

export interface LevelParameters {
  readonly label: string;
  readonly m: number;
  readonly u: number;
  readonly isNull: boolean;
}

/** One field's part of a pair's weight. */
export interface ExplanationTerm {
  readonly comparison: string;
  readonly level: number;
  readonly label: string;
  /** log2(m/u), plus the term-frequency adjustment when one applied. */
  readonly weight: number;
  /** The part of `weight` due to the value's frequency (0 when none applied). */
  readonly tfAdjustment: number;
}

/** Why a pair scored as it did: prior + Σ terms = match weight. */
export interface Explanation {
  readonly priorWeight: number;
  readonly terms: readonly ExplanationTerm[];
}

export interface PairScore {
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly explanation: Explanation;
}

export interface Model {
  readonly parameters: ModelParameters;
  /** log2(λ / (1 − λ)). */
  readonly priorWeight: number;
  /** log2(m/u) per comparison and level (0 for missing). */
  readonly weights: readonly Float64Array[];
  /** 1 where a term-frequency adjustment applies, per comparison and level. */
  readonly tfLevels: readonly Uint8Array[];
  /** The match weight of a pair of prepared records: the hot path, no allocation. */
  matchWeight(a: PreparedRecord, b: PreparedRecord): number;
  /** The match weight of a pair whose levels are known, with term-frequency adjustment from the records. */
  weightOfLevels(levels: ArrayLike<number>, a: PreparedRecord, b: PreparedRecord): number;
  /** Weight, probability and explanation of a pair. */
  scorePair(a: PreparedRecord, b: PreparedRecord): PairScore;
}

// Floors keep log2(m/u) finite when a level was never observed in training.
const PROBABILITY_FLOOR = 1e-9;

export function probabilityFromWeight(weight: number): number {
  const odds = 2 ** weight;
  return Number.isFinite(odds) ? odds / (1 + odds) : 1;
}

export function weightFromProbability(probability: number): number {
  return Math.log2(probability / (1 - probability));
}

/**
 * Builds a scoring model from comparisons and parameters. The comparisons must be the ones the records were
 * prepared with, in the same order.
 * @example
 * const model = createModel(comparisons, parameters);
 * const { matchWeight, explanation } = model.scorePair(left[0], right[0]);
 */
export function createModel<T>(comparisons: readonly AnyComparison<T>[], parameters: ModelParameters): Model {
  if (parameters.comparisons.length !== comparisons.length) {
    throw new Error(
      `model has ${parameters.comparisons.length} comparisons but ${comparisons.length} were given`,
    );
  }
  const weights = parameters.comparisons.map((c, k) => {
    const expected = comparisons[k]!.levels.length;
    if (c.levels.length !== expected) {
      throw new Error(
        `comparison ${c.name}: ${c.levels.length} levels in the parameters, ${expected} expected`,
      );
    }
    return Float64Array.from(c.levels, (level) =>
      level.isNull
        ? 0
        : Math.log2(Math.max(level.m, PROBABILITY_FLOOR) / Math.max(level.u, PROBABILITY_FLOOR)),
    );
  });
  const lambda = parameters.probabilityTwoRandomRecordsMatch;
  const priorWeight = Math.log2(lambda / (1 - lambda));
  // tfSlot[k][level] = the term-frequency slot adjusting that level, or -1.
  const tfSlot = comparisons.map((c) => new Int32Array(c.levels.length).fill(-1));
  let slot = 0;
  comparisons.forEach((c, k) => {
    for (const adjustment of c.termFrequency ?? []) tfSlot[k]![adjustment.level] = slot++;
  });
  const levelU = parameters.comparisons.map((c) => Float64Array.from(c.levels, (l) => l.u));
  const count = comparisons.length;

  const tfAdjustment = (k: number, level: number, a: PreparedRecord, b: PreparedRecord): number => {
    const s = tfSlot[k]![level]!;
    if (s < 0) return 0;
    const fa = a.tf[s]!;
    const fb = b.tf[s]!;
    // NaN when a record has no frequency (unknown value): then the plain level weight stands.
    const f = fa > fb || Number.isNaN(fb) ? fa : fb;
    if (Number.isNaN(f)) return 0;
    return Math.log2(Math.max(levelU[k]![level]!, PROBABILITY_FLOOR) / Math.max(f, PROBABILITY_FLOOR));
  };

  const weightOfLevels = (levels: ArrayLike<number>, a: PreparedRecord, b: PreparedRecord): number => {
    let w = priorWeight;
    for (let k = 0; k < count; k++) {
      const level = levels[k]!;
      w += weights[k]![level]!;
      if (tfSlot[k]![level]! >= 0) w += tfAdjustment(k, level, a, b);
    }
    return w;
  };

  return {
    parameters,
    priorWeight,
    weights,
    tfLevels: tfSlot.map((slots) => Uint8Array.from(slots, (s) => (s >= 0 ? 1 : 0))),
    weightOfLevels,
    matchWeight: (a, b) => {
      let w = priorWeight;
      const va = a.values;
      const vb = b.values;
      for (let k = 0; k < count; k++) {
        const level = comparisons[k]!.compare(va[k], vb[k]);
        w += weights[k]![level]!;
        if (tfSlot[k]![level]! >= 0) w += tfAdjustment(k, level, a, b);
      }
      return w;
    },
    scorePair: (a, b) => {
      const terms: ExplanationTerm[] = [];
      let total = priorWeight;
      for (let k = 0; k < count; k++) {
        const comparison = comparisons[k]!;
        const level = comparison.compare(a.values[k], b.values[k]);
        const adjustment = tfAdjustment(k, level, a, b);
        const weight = weights[k]![level]! + adjustment;
        total += weight;
        terms.push({
          comparison: comparison.name,
          level,
          label: comparison.levels[level]!.label,
          weight,
          tfAdjustment: adjustment,
        });
      }
      return {
        matchWeight: total,
        matchProbability: probabilityFromWeight(total),
        explanation: { priorWeight, terms },
      };
    },
  };
}

/** Prints an explanation one term a line, e.g. for a reviewer: `name: exact (+9.31)`. */
export function formatExplanation(score: PairScore): string {
  const sign = (w: number) => (w >= 0 ? `+${w.toFixed(2)}` : w.toFixed(2));
  const lines = [`prior: ${sign(score.explanation.priorWeight)}`];
  for (const t of score.explanation.terms) {
    const tf = t.tfAdjustment !== 0 ? ` (term frequency ${sign(t.tfAdjustment)})` : '';
    lines.push(`${t.comparison}: ${t.label} ${sign(t.weight)}${tf}`);
  }
  lines.push(`match weight ${sign(score.matchWeight)}, probability ${score.matchProbability.toFixed(4)}`);
  return lines.join('\n');
}

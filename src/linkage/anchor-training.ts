import type { AnyComparison } from './comparison.js';
import type { PatternCounts } from './em.js';
import type { ModelParameters } from './model.js';
import type { PreparedRecord } from './prepare-records.js';
import { estimateU, type USampleOptions } from './training.js';

/**
 * For one comparison, which candidate pairs are near-certain matches judged on the *other* comparisons only
 * (e.g. "exact ID" to learn how names and birth dates of the same person differ). Reads a pair's levels.
 */
export type Anchor = (levels: ArrayLike<number>) => boolean;

export interface AnchorTrainingOptions {
  /** One anchor per comparison, in the comparisons' order. */
  readonly anchors: readonly Anchor[];
  /**
   * λ from a deterministic rule: the candidate pairs it accepts, divided by its recall among matches, which is
   * read off the learnt m of one comparison level (e.g. m of "ID exact").
   */
  readonly prior: { readonly matches: number; readonly comparison: number; readonly level: number };
  readonly u?: USampleOptions;
}

/**
 * Trains Fellegi–Sunter parameters without labels from anchor pairs: m of each comparison is its level
 * distribution among the candidate pairs its anchor accepts (pairs that other, independent fields already show to
 * be matches), u from random pairs, λ from a deterministic rule. Where fields are correlated (a birth date and the
 * birth-date part of an ID), EM can settle on a "match" class that is really "same birth date"; anchors on other
 * fields cannot.
 * @example const parameters = trainFromAnchors(comparisons, left, right, compared, { anchors, prior });
 */
export function trainFromAnchors<T>(
  comparisons: readonly AnyComparison<T>[],
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  compared: PatternCounts,
  options: AnchorTrainingOptions,
): ModelParameters {
  const K = comparisons.length;
  if (options.anchors.length !== K) throw new Error(`${options.anchors.length} anchors for ${K} comparisons`);
  const u = estimateU(comparisons, left, right, options.u);
  const m = comparisons.map((c, k) => {
    const counts = new Float64Array(c.levels.length);
    const anchor = options.anchors[k]!;
    for (let p = 0; p < compared.size; p++) {
      const levels = compared.patterns.subarray(p * K, p * K + K);
      if (anchor(levels)) counts[levels[k]!]! += compared.counts[p]!;
    }
    // Half a pair per level: a level the anchors never show keeps a small, finite weight.
    let total = 0;
    c.levels.forEach((level, l) => {
      if (!level.isNull) total += counts[l]! + 0.5;
    });
    return c.levels.map((level, l) => (level.isNull ? 1 : (counts[l]! + 0.5) / total));
  });
  const recall = m[options.prior.comparison]?.[options.prior.level] ?? 1;
  const space = Math.max(left.length * right.length, 1);
  const lambda = Math.min(Math.max(options.prior.matches / Math.max(recall, 1e-9) / space, 1e-12), 1 - 1e-9);
  return {
    probabilityTwoRandomRecordsMatch: lambda,
    comparisons: comparisons.map((c, k) => ({
      name: c.name,
      levels: c.levels.map((level, l) => ({
        label: level.label,
        isNull: level.isNull === true,
        m: m[k]![l]!,
        u: level.isNull ? 1 : u[k]![l]!,
      })),
    })),
  };
}

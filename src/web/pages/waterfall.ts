import type { MatchTerm } from '../api/types.js';

export interface WaterfallBar {
  readonly label: string;
  /** Where the bar starts (the running total before it, or 0 for the totals). */
  readonly base: number;
  /** The bar's signed size. */
  readonly value: number;
  readonly kind: 'prior' | 'up' | 'down' | 'total';
}

/**
 * A Fellegi–Sunter explanation as a waterfall: the prior weight, then each field's weight (its level's
 * log2(m/u) plus any term-frequency adjustment) added in turn, then the total.
 * @example waterfall(-10, [{ comparison: 'id_number', label: 'exact', weight: 14, tfAdjustment: 0, level: 0 }])
 *   // prior −10 from 0; id_number +14 from −10; total 4 from 0
 */
export function waterfall(
  priorWeight: number,
  terms: readonly MatchTerm[],
  labels: { prior: string; total: string },
): WaterfallBar[] {
  const bars: WaterfallBar[] = [{ label: labels.prior, base: 0, value: priorWeight, kind: 'prior' }];
  let running = priorWeight;
  for (const term of terms) {
    const value = term.weight + term.tfAdjustment;
    bars.push({
      label: `${term.comparison}: ${term.label}`,
      base: running,
      value,
      kind: value >= 0 ? 'up' : 'down',
    });
    running += value;
  }
  bars.push({ label: labels.total, base: 0, value: running, kind: 'total' });
  return bars;
}

/** The floating segment of a bar, as [low, high] (a negative step goes down from its base). */
export function barSpan(bar: WaterfallBar): readonly [number, number] {
  const end = bar.base + bar.value;
  return [Math.min(bar.base, end), Math.max(bar.base, end)];
}

import { type Comparison, levelsOf } from '../comparison.js';
import { emptyToUndefined } from './exact.js';

/** An edit-distance function with its own scratch rows; stops early once the distance exceeds `max`. */
export type DistanceFunction = (a: string, b: string, max?: number) => number;

/**
 * Creates a Levenshtein distance function (insertions, deletions, substitutions).
 * With `max`, any distance above it is returned as `max + 1` (cheaper).
 * @example createLevenshtein()('kitten', 'sitting') // 3
 */
export function createLevenshtein(): DistanceFunction {
  let previous = new Int32Array(64);
  let current = new Int32Array(64);
  return (a, b, max = Number.MAX_SAFE_INTEGER) => {
    if (a === b) return 0;
    const la = a.length;
    const lb = b.length;
    if (Math.abs(la - lb) > max) return max + 1;
    if (la === 0) return lb;
    if (lb === 0) return la;
    if (lb + 1 > previous.length) {
      previous = new Int32Array((lb + 1) * 2);
      current = new Int32Array((lb + 1) * 2);
    }
    for (let j = 0; j <= lb; j++) previous[j] = j;
    for (let i = 1; i <= la; i++) {
      current[0] = i;
      let rowMin = i;
      const ca = a.charCodeAt(i - 1);
      for (let j = 1; j <= lb; j++) {
        const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
        const del = previous[j]! + 1;
        const ins = current[j - 1]! + 1;
        const sub = previous[j - 1]! + cost;
        const v = del < ins ? Math.min(del, sub) : Math.min(ins, sub);
        current[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max) return max + 1;
      const swap = previous;
      previous = current;
      current = swap;
    }
    return previous[lb]!;
  };
}

/** Levenshtein distance; allocates, so use `createLevenshtein` in loops. */
export function levenshtein(a: string, b: string): number {
  return createLevenshtein()(a, b);
}

export interface DistanceOptions<T> {
  readonly name: string;
  readonly value: (record: T) => string | undefined;
  /** Ascending distance thresholds, one level each, e.g. [1, 2]. */
  readonly thresholds: readonly number[];
  readonly termFrequency?: boolean;
}

/** Levels: exact, distance ≤ each threshold (ascending), different, missing. */
export function distanceComparison<T>(
  options: DistanceOptions<T>,
  distance: DistanceFunction,
  metric: string,
): Comparison<T, string | undefined> {
  const thresholds = [...options.thresholds].sort((x, y) => x - y);
  const max = thresholds[thresholds.length - 1] ?? 0;
  const different = thresholds.length + 1;
  const missing = thresholds.length + 2;
  return {
    name: options.name,
    levels: levelsOf(['exact', ...thresholds.map((t) => `${metric} <= ${t}`), 'different']),
    prepare: (record) => emptyToUndefined(options.value(record)),
    compare: (a, b) => {
      if (a === undefined || b === undefined) return missing;
      if (a === b) return 0;
      const d = distance(a, b, max);
      for (let i = 0; i < thresholds.length; i++) if (d <= thresholds[i]!) return i + 1;
      return different;
    },
    ...(options.termFrequency ? { termFrequency: [{ level: 0, value: (p: string | undefined) => p }] } : {}),
  };
}

/**
 * Levels: exact, Levenshtein ≤ each threshold, different, missing.
 * @example levenshteinComparison<Row>({ name: 'address_1', value: (r) => r.address_1, thresholds: [1, 3] })
 */
export function levenshteinComparison<T>(options: DistanceOptions<T>): Comparison<T, string | undefined> {
  return distanceComparison(options, createLevenshtein(), 'Levenshtein');
}

import type { Comparison } from '../comparison.js';
import { type DistanceFunction, type DistanceOptions, distanceComparison } from './levenshtein.js';

/**
 * Creates an optimal-string-alignment distance function (Levenshtein plus adjacent transpositions, each
 * substring edited once). With `max`, any distance above it is returned as `max + 1`.
 * @example createDamerauLevenshtein()('ca', 'ac') // 1
 */
export function createDamerauLevenshtein(): DistanceFunction {
  let twoBack = new Int32Array(64);
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
      twoBack = new Int32Array((lb + 1) * 2);
      previous = new Int32Array((lb + 1) * 2);
      current = new Int32Array((lb + 1) * 2);
    }
    for (let j = 0; j <= lb; j++) previous[j] = j;
    for (let i = 1; i <= la; i++) {
      current[0] = i;
      let rowMin = i;
      const ca = a.charCodeAt(i - 1);
      for (let j = 1; j <= lb; j++) {
        const cb = b.charCodeAt(j - 1);
        const cost = ca === cb ? 0 : 1;
        const del = previous[j]! + 1;
        const ins = current[j - 1]! + 1;
        const sub = previous[j - 1]! + cost;
        let v = del < ins ? Math.min(del, sub) : Math.min(ins, sub);
        if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
          const tr = twoBack[j - 2]! + 1;
          if (tr < v) v = tr;
        }
        current[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max) return max + 1;
      const oldest = twoBack;
      twoBack = previous;
      previous = current;
      current = oldest;
    }
    return previous[lb]!;
  };
}

/** Optimal-string-alignment distance; allocates, so use `createDamerauLevenshtein` in loops. */
export function damerauLevenshtein(a: string, b: string): number {
  return createDamerauLevenshtein()(a, b);
}

/**
 * Levels: exact, Damerau-Levenshtein (OSA) ≤ each threshold, different, missing.
 * @example damerauLevenshteinComparison<Row>({ name: 'soc_sec_id', value: (r) => r.soc_sec_id, thresholds: [1, 2] })
 */
export function damerauLevenshteinComparison<T>(
  options: DistanceOptions<T>,
): Comparison<T, string | undefined> {
  return distanceComparison(options, createDamerauLevenshtein(), 'Damerau-Levenshtein');
}

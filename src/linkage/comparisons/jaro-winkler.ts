import { type Comparison, levelsOf } from '../comparison.js';
import { emptyToUndefined } from './exact.js';

/**
 * A Jaro-Winkler similarity function with its own scratch buffers (no allocation per call). With `minimum`,
 * a pair that cannot reach it may return early with any value below `minimum` (a cheap upper bound from the
 * characters the strings share).
 */
export type SimilarityFunction = (a: string, b: string, minimum?: number) => number;

/**
 * Creates a Jaro-Winkler function (prefix scale 0.1, prefix up to 4, boost above Jaro 0.7, as Winkler's).
 * The pair is put in a canonical order first, so the result is symmetric.
 * @example createJaroWinkler()('martha', 'marhta') // 0.961…
 */
export function createJaroWinkler(): SimilarityFunction {
  let flagsA = new Int32Array(64);
  let flagsB = new Int32Array(64);
  // Flags hold the call's stamp instead of being cleared on every call.
  let stamp = 0;
  const bag = new Int32Array(256);
  return (first, second, minimum = 0) => {
    let a = first;
    let b = second;
    if (a.length > b.length || (a.length === b.length && a > b)) {
      a = second;
      b = first;
    }
    const la = a.length;
    const lb = b.length;
    if (la === 0) return lb === 0 ? 1 : 0;
    if (a === b) return 1;
    let prefix = 0;
    const maxPrefix = Math.min(la, 4);
    while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
    if (minimum > 0) {
      // Upper bound on the matching characters: the shared characters regardless of position (hashed to 256
      // buckets; a collision only raises the bound).
      for (let i = 0; i < la; i++) bag[a.charCodeAt(i) & 255]!++;
      let shared = 0;
      for (let j = 0; j < lb; j++) {
        const h = b.charCodeAt(j) & 255;
        if (bag[h]! > 0) {
          bag[h]!--;
          shared++;
        }
      }
      for (let i = 0; i < la; i++) bag[a.charCodeAt(i) & 255] = 0;
      const jaroBound = (shared / la + shared / lb + 1) / 3;
      const bound = jaroBound + prefix * 0.1 * (1 - jaroBound);
      if (bound < minimum) return bound;
    }
    if (lb > flagsB.length) {
      flagsA = new Int32Array(lb * 2);
      flagsB = new Int32Array(lb * 2);
      stamp = 0;
    }
    stamp++;
    if (stamp === 0x3fffffff) {
      flagsA.fill(0);
      flagsB.fill(0);
      stamp = 1;
    }
    const window = lb > 3 ? (lb >> 1) - 1 : 0;
    let matches = 0;
    for (let i = 0; i < la; i++) {
      const ca = a.charCodeAt(i);
      const lo = i > window ? i - window : 0;
      const hi = Math.min(i + window + 1, lb);
      for (let j = lo; j < hi; j++) {
        if (b.charCodeAt(j) === ca && flagsB[j] !== stamp) {
          flagsA[i] = stamp;
          flagsB[j] = stamp;
          matches++;
          break;
        }
      }
    }
    if (matches === 0) return 0;
    let transpositions = 0;
    let k = 0;
    for (let i = 0; i < la; i++) {
      if (flagsA[i] !== stamp) continue;
      while (flagsB[k] !== stamp) k++;
      if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
      k++;
    }
    const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
    if (jaro <= 0.7) return jaro;
    return jaro + prefix * 0.1 * (1 - jaro);
  };
}

/** Jaro-Winkler similarity in [0, 1]; allocates its buffers, so use `createJaroWinkler` in loops. */
export function jaroWinkler(a: string, b: string): number {
  return createJaroWinkler()(a, b);
}

export interface JaroWinklerOptions<T> {
  readonly name: string;
  readonly value: (record: T) => string | undefined;
  /** Descending similarity thresholds, one level each, e.g. [0.92, 0.8]. */
  readonly thresholds: readonly number[];
  readonly termFrequency?: boolean;
}

/**
 * Levels: exact, Jaro-Winkler ≥ each threshold (descending), different, missing.
 * @example jaroWinklerComparison<Row>({ name: 'surname', value: (r) => r.surname, thresholds: [0.92, 0.8] })
 */
export function jaroWinklerComparison<T>(options: JaroWinklerOptions<T>): Comparison<T, string | undefined> {
  const thresholds = [...options.thresholds].sort((x, y) => y - x);
  const similarity = createJaroWinkler();
  const lowest = thresholds[thresholds.length - 1] ?? 1;
  const different = thresholds.length + 1;
  const missing = thresholds.length + 2;
  return {
    name: options.name,
    levels: levelsOf(['exact', ...thresholds.map((t) => `Jaro-Winkler >= ${t}`), 'different']),
    prepare: (record) => emptyToUndefined(options.value(record)),
    compare: (a, b) => {
      if (a === undefined || b === undefined) return missing;
      if (a === b) return 0;
      const s = similarity(a, b, lowest);
      for (let i = 0; i < thresholds.length; i++) if (s >= thresholds[i]!) return i + 1;
      return different;
    },
    ...(options.termFrequency ? { termFrequency: [{ level: 0, value: (p: string | undefined) => p }] } : {}),
  };
}

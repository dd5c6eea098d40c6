import { type Comparison, levelsOf } from '../comparison.js';

export interface RegionCodeOptions<T> {
  readonly name: string;
  /** A 6-digit administrative division code (GB/T 2260); anything else is missing. */
  readonly value: (record: T) => string | undefined;
}

/**
 * Levels: same county (all 6 digits), same prefecture (first 4), same province (first 2), different, missing.
 * @example regionCodeComparison<Person>({ name: 'region', value: (p) => p.regionCode })
 */
export function regionCodeComparison<T>(options: RegionCodeOptions<T>): Comparison<T, string | undefined> {
  return {
    name: options.name,
    levels: levelsOf(['same county', 'same prefecture', 'same province', 'different']),
    prepare: (record) => {
      const v = options.value(record)?.trim();
      return v !== undefined && /^\d{6}$/.test(v) ? v : undefined;
    },
    compare: (a, b) => {
      if (a === undefined || b === undefined) return 4;
      if (a === b) return 0;
      if (a.charCodeAt(0) !== b.charCodeAt(0) || a.charCodeAt(1) !== b.charCodeAt(1)) return 3;
      return a.charCodeAt(2) === b.charCodeAt(2) && a.charCodeAt(3) === b.charCodeAt(3) ? 1 : 2;
    },
  };
}

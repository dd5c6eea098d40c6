import { type Comparison, levelsOf } from '../comparison.js';

export interface ExactOptions<T> {
  readonly name: string;
  /** The value to compare; empty or undefined is missing. */
  readonly value: (record: T) => string | undefined;
  /** Adjust the agreement weight by the value's frequency. */
  readonly termFrequency?: boolean;
}

/**
 * Levels: exact, different, missing.
 * @example exactComparison<Row>({ name: 'state', value: (r) => r.state })
 */
export function exactComparison<T>(options: ExactOptions<T>): Comparison<T, string | undefined> {
  return {
    name: options.name,
    levels: levelsOf(['exact', 'different']),
    prepare: (record) => emptyToUndefined(options.value(record)),
    compare: (a, b) => (a === undefined || b === undefined ? 2 : a === b ? 0 : 1),
    ...(options.termFrequency ? { termFrequency: [{ level: 0, value: (p: string | undefined) => p }] } : {}),
  };
}

export function emptyToUndefined(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

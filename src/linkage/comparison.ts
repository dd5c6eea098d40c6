/**
 * A comparison puts a pair of records into one of a few ordered levels (index 0 is the strongest agreement).
 * `prepare` runs once per record (normalise, parse, precompute pinyin); `compare` runs once per candidate pair and
 * must not allocate: it is the hot path.
 *
 * @example
 * const surname = jaroWinklerComparison<Row>({ name: 'surname', value: (r) => r.surname, thresholds: [0.92, 0.8] });
 * surname.compare(surname.prepare(a), surname.prepare(b)); // 0 = exact … last = missing
 */
export interface Comparison<T, P = unknown> {
  /** Output name of the comparison (a column name for the general engine). */
  readonly name: string;
  readonly levels: readonly ComparisonLevel[];
  prepare(record: T): P;
  compare(a: P, b: P): number;
  /** Term-frequency adjustments: for a pair at `level`, the agreement weight is adjusted by the value's frequency. */
  readonly termFrequency?: readonly TermFrequencyAdjustment<P>[];
}

export interface ComparisonLevel {
  readonly label: string;
  /** A missing value on either side: the level contributes weight 0 and is left out of m and u. */
  readonly isNull?: boolean;
}

export interface TermFrequencyAdjustment<P> {
  /** The level whose weight is adjusted (an exact or homophone agreement). */
  readonly level: number;
  /** The value whose frequency counts, e.g. the normalised name; undefined when the record has none. */
  value(prepared: P): string | undefined;
}

/** A comparison over records of type T whatever its prepared value. */
export type AnyComparison<T> = Comparison<T, unknown>;

/** Level lists end with the missing level; this builds one from labels. */
export function levelsOf(labels: readonly string[], missingLabel = 'missing'): readonly ComparisonLevel[] {
  return [...labels.map((label) => ({ label })), { label: missingLabel, isNull: true }];
}

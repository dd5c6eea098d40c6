import type { AnyComparison } from './comparison.js';

/**
 * A record made ready for the hot path: each comparison's prepared value, and the values (and, once known, the
 * frequencies) its term-frequency adjustments look at. Plain data, built once per record.
 */
export interface PreparedRecord {
  readonly id: string;
  /** Prepared value per comparison, in the comparisons' order. */
  readonly values: unknown[];
  /** Term-frequency value per slot (see `termFrequencySlots`), undefined when absent. */
  readonly tfValues: (string | undefined)[];
  /** Frequency per slot, NaN until `applyTermFrequencies` fills it in. */
  readonly tf: Float64Array;
}

/** One term-frequency adjustment: which comparison and level it applies to. */
export interface TermFrequencySlot {
  readonly comparison: number;
  readonly level: number;
}

export function termFrequencySlots<T>(comparisons: readonly AnyComparison<T>[]): TermFrequencySlot[] {
  const slots: TermFrequencySlot[] = [];
  comparisons.forEach((c, k) => {
    for (const adjustment of c.termFrequency ?? []) slots.push({ comparison: k, level: adjustment.level });
  });
  return slots;
}

/** Creates the function that prepares one record for the given comparisons. */
export function createRecordPreparer<T>(
  comparisons: readonly AnyComparison<T>[],
  idOf: (record: T) => string,
): (record: T) => PreparedRecord {
  const adjustments = comparisons.flatMap((c, k) =>
    (c.termFrequency ?? []).map((adjustment) => ({ k, adjustment })),
  );
  return (record) => {
    const values = new Array<unknown>(comparisons.length);
    for (let k = 0; k < comparisons.length; k++) values[k] = comparisons[k]!.prepare(record);
    const tfValues = adjustments.map(({ k, adjustment }) => adjustment.value(values[k]));
    return { id: idOf(record), values, tfValues, tf: new Float64Array(adjustments.length).fill(Number.NaN) };
  };
}

/**
 * Prepares every record once (normalisation, parsing, pinyin are paid per record, not per pair).
 * @example const left = prepareRecords(comparisons, rows, (r) => r.rec_id ?? '');
 */
export function prepareRecords<T>(
  comparisons: readonly AnyComparison<T>[],
  records: Iterable<T>,
  idOf: (record: T) => string,
): PreparedRecord[] {
  const prepare = createRecordPreparer(comparisons, idOf);
  const out: PreparedRecord[] = [];
  for (const record of records) out.push(prepare(record));
  return out;
}

/** Value frequencies per term-frequency slot, over both sides: plain data (Maps clone into workers). */
export interface TermFrequencyTables {
  readonly slots: readonly {
    readonly comparison: number;
    readonly level: number;
    readonly frequencies: ReadonlyMap<string, number>;
    /** The frequency given to a value not in the table (seen once more). */
    readonly unseen: number;
  }[];
}

/**
 * Counts each slot's values over the given record sets: frequency = count / non-missing values.
 * @example const tables = buildTermFrequencies(slots, [left, right]); applyTermFrequencies(tables, left);
 */
export function buildTermFrequencies(
  slots: readonly TermFrequencySlot[],
  recordSets: readonly (readonly PreparedRecord[])[],
): TermFrequencyTables {
  return {
    slots: slots.map((slot, s) => {
      const counts = new Map<string, number>();
      let total = 0;
      for (const records of recordSets) {
        for (const record of records) {
          const v = record.tfValues[s];
          if (v === undefined) continue;
          counts.set(v, (counts.get(v) ?? 0) + 1);
          total++;
        }
      }
      const frequencies = new Map<string, number>();
      for (const [v, c] of counts) frequencies.set(v, c / total);
      return { comparison: slot.comparison, level: slot.level, frequencies, unseen: 1 / (total + 1) };
    }),
  };
}

/** Fills each record's `tf` from the tables (in place: the prepared record is the engine's own working copy). */
export function applyTermFrequencies(tables: TermFrequencyTables, records: readonly PreparedRecord[]): void {
  tables.slots.forEach((slot, s) => {
    for (const record of records) {
      const v = record.tfValues[s];
      record.tf[s] = v === undefined ? Number.NaN : (slot.frequencies.get(v) ?? slot.unseen);
    }
  });
}

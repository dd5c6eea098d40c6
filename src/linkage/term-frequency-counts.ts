import type { PreparedRecord, TermFrequencyTables } from './prepare-records.js';

/** Value counts per term-frequency slot over one record set (e.g. the roll): what a stored model keeps. */
export interface TermFrequencyCounts {
  readonly counts: readonly ReadonlyMap<string, number>[];
  /** Non-missing values per slot. */
  readonly totals: readonly number[];
}

/**
 * Counts each slot's values over the records.
 * @example const counts = countTermFrequencies(rollPrepared, 2);
 */
export function countTermFrequencies(records: readonly PreparedRecord[], slots: number): TermFrequencyCounts {
  const counts = Array.from({ length: slots }, () => new Map<string, number>());
  const totals = new Array<number>(slots).fill(0);
  for (const record of records) {
    for (let s = 0; s < slots; s++) {
      const v = record.tfValues[s];
      if (v === undefined) continue;
      counts[s]!.set(v, (counts[s]!.get(v) ?? 0) + 1);
      totals[s]!++;
    }
  }
  return { counts, totals };
}

/**
 * The tables `applyTermFrequencies` reads, from counts (all of them, or only those of the values at hand):
 * frequency = count / total, a value never counted = 1 / (total + 1), as `buildTermFrequencies` computes them.
 * @example applyTermFrequencies(termFrequencyTablesFromCounts(slots, counts), records);
 */
export function termFrequencyTablesFromCounts(
  slots: readonly { readonly comparison: number; readonly level: number }[],
  counts: TermFrequencyCounts,
): TermFrequencyTables {
  return {
    slots: slots.map((slot, s) => {
      const total = counts.totals[s] ?? 0;
      const frequencies = new Map<string, number>();
      for (const [value, count] of counts.counts[s] ?? []) frequencies.set(value, count / total);
      return { comparison: slot.comparison, level: slot.level, frequencies, unseen: 1 / (total + 1) };
    }),
  };
}

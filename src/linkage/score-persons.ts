import { createBlockingIndex } from './blocking.js';
import { chinaBlockingRules, chinaComparisons, createPersonNormaliser } from './china-preset.js';
import { createModel, weightFromProbability } from './model.js';
import type { ScoringJob, ScoringResult } from './parallel-scoring.js';
import { applyTermFrequencies, createRecordPreparer, termFrequencySlots } from './prepare-records.js';
import { termFrequencyTablesFromCounts } from './term-frequency-counts.js';

/**
 * Scores a job in this thread (what each worker of `scoreInWorkers` runs): normalise, index the roll, then
 * compare and score every candidate pair, keeping each death record's best beneficiary above the threshold.
 * @example const result = scorePersons(job); console.log(result.candidatePairs / result.compareMs * 1000, 'pairs/s');
 */
export function scorePersons(job: ScoringJob): ScoringResult {
  const started = performance.now();
  const comparisons = chinaComparisons();
  const rules = chinaBlockingRules();
  const normalise = createPersonNormaliser();
  const prepare = createRecordPreparer(comparisons, (p: { id: string }) => p.id);
  const roll = job.roll.map(normalise);
  const deaths = job.deaths.map(normalise);
  const rollPrepared = roll.map(prepare);
  const deathPrepared = deaths.map(prepare);
  const tables = termFrequencyTablesFromCounts(termFrequencySlots(comparisons), {
    counts: job.termFrequencies.counts.map((entries) => new Map(entries)),
    totals: job.termFrequencies.totals,
  });
  applyTermFrequencies(tables, rollPrepared);
  applyTermFrequencies(tables, deathPrepared);
  const index = createBlockingIndex(rules, roll);
  const model = createModel(comparisons, job.parameters);
  const minimum = weightFromProbability(job.threshold);
  // Candidate pairs first (blocking), so that the timed loop is comparison and scoring alone.
  let capacity = 1 << 16;
  let left = new Uint32Array(capacity);
  let right = new Uint32Array(capacity);
  let pairs = 0;
  for (let i = 0; i < deaths.length; i++) {
    index.candidates(deaths[i]!, (j) => {
      if (pairs === capacity) {
        capacity *= 2;
        const l = new Uint32Array(capacity);
        l.set(left);
        left = l;
        const r = new Uint32Array(capacity);
        r.set(right);
        right = r;
      }
      left[pairs] = i;
      right[pairs] = j;
      pairs++;
    });
  }
  const setupMs = performance.now() - started;
  const compareStarted = performance.now();
  const best: (string | undefined)[] = new Array(deaths.length);
  const weights: number[] = new Array(deaths.length).fill(Number.NEGATIVE_INFINITY);
  for (let p = 0; p < pairs; p++) {
    const i = left[p]!;
    const b = rollPrepared[right[p]!]!;
    const w = model.matchWeight(deathPrepared[i]!, b);
    if (w < minimum) continue;
    const current = best[i];
    if (w > weights[i]! || (w === weights[i] && current !== undefined && b.id < current)) {
      weights[i] = w;
      best[i] = b.id;
    }
  }
  return { best, weights, candidatePairs: pairs, setupMs, compareMs: performance.now() - compareStarted };
}

import { chinaPairLevels, createChinaScorer } from './china-columns.js';
import { chinaComparisons } from './china-preset.js';
import { weightFromProbability } from './model.js';
import type { ScoringJob, ScoringResult } from './parallel-scoring.js';

/**
 * Compares and scores the candidate pairs `from` ≤ p < `to` of a job in this thread, in one pass (levels into a
 * small buffer, weights from tables), keeping each death record's best beneficiary at or above the threshold
 * (equal weights go to the smaller beneficiary id, as the matcher chooses). What each worker of `scoreInWorkers`
 * runs; `from`/`to` must fall on death-record boundaries.
 * @example const result = scoreShare(job, 0, job.pairs.count);
 */
export function scoreShare(job: ScoringJob, from: number, to: number): ScoringResult {
  const comparisons = chinaComparisons();
  const levels = chinaPairLevels(comparisons, job.dictionary);
  const scorer = createChinaScorer(comparisons, job.parameters, job.nameCounts);
  const minimum = weightFromProbability(job.threshold);
  const { left, right } = job.pairs;
  const firstDeath = to > from ? left[from]! : 0;
  const deaths = to > from ? left[to - 1]! - firstDeath + 1 : 0;
  const best = new Int32Array(deaths).fill(-1);
  const weights = new Float64Array(deaths).fill(Number.NEGATIVE_INFINITY);
  const out = new Uint8Array(comparisons.length);
  const ids = job.rollIds;
  const started = performance.now();
  for (let p = from; p < to; p++) {
    const i = left[p]!;
    const j = right[p]!;
    levels(job.deaths, i, job.roll, j, out);
    const w = scorer.weight(out, job.deaths, i, job.roll, j);
    if (w < minimum) continue;
    const d = i - firstDeath;
    const current = best[d]!;
    if (w > weights[d]! || (w === weights[d] && current >= 0 && ids[j]! < ids[current]!)) {
      weights[d] = w;
      best[d] = j;
    }
  }
  return { firstDeath, best, weights, candidatePairs: to - from, compareMs: performance.now() - started };
}

import { parentPort, workerData } from 'node:worker_threads';
import { chinaPairLevels, chinaPatternKeys } from './china-columns.js';
import { chinaComparisons } from './china-preset.js';
import type { PatternKeyJob, ScoringJob } from './parallel-scoring.js';
import { scoreShare } from './score-persons.js';

// The worker entry of `scoreInWorkers` and `chinaColumnarPairsInWorkers`: columns, pairs and pattern keys live in
// shared memory, the rest arrives as plain data.
const data = workerData as
  | { task?: undefined; job: ScoringJob; from: number; to: number }
  | { task: 'patternKeys' };
if (data.task === 'patternKeys') {
  // Started before the job is ready (see `chinaColumnarPairsInWorkers`): the job arrives as one message.
  const comparisons = chinaComparisons();
  parentPort?.once('message', ({ job, from, to }: { job: PatternKeyJob; from: number; to: number }) => {
    const levels = chinaPairLevels(comparisons, job.dictionary);
    chinaPatternKeys(comparisons, levels, job.deaths, job.roll, job.pairs, from, to, job.keys);
    parentPort?.postMessage(to - from);
  });
} else {
  parentPort?.postMessage(scoreShare(data.job, data.from, data.to));
}

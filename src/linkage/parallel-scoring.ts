import { Worker } from 'node:worker_threads';
import type { PersonInput } from './china-preset.js';
import type { ModelParameters } from './model.js';

/** What each scoring worker receives: plain data only (the comparisons are rebuilt in the worker from the preset). */
export interface ScoringJob {
  readonly roll: readonly PersonInput[];
  /** The worker's share of the death records. */
  readonly deaths: readonly PersonInput[];
  readonly parameters: ModelParameters;
  /** Term-frequency counts over the roll, per slot, and the totals. */
  readonly termFrequencies: {
    readonly counts: readonly (readonly [string, number][])[];
    readonly totals: readonly number[];
  };
  readonly threshold: number;
}

/** What a worker returns: the best beneficiary of each of its death records (or none), and its timings. */
export interface ScoringResult {
  readonly best: readonly (string | undefined)[];
  readonly weights: readonly number[];
  readonly candidatePairs: number;
  /** Milliseconds spent normalising and indexing (before comparing). */
  readonly setupMs: number;
  /** Milliseconds spent comparing and scoring the candidate pairs. */
  readonly compareMs: number;
}

/**
 * Scores death records against the roll with the China preset on `threads` worker threads: the death records are
 * split into contiguous shares; every worker indexes the whole roll and scores its share with the given model.
 * @example const results = await scoreInWorkers(job, 2); // one result per share, in order
 */
export async function scoreInWorkers(job: ScoringJob, threads: number): Promise<ScoringResult[]> {
  const share = Math.ceil(job.deaths.length / threads);
  const url = new URL('./scoring-worker.js', import.meta.url);
  return Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const part: ScoringJob = { ...job, deaths: job.deaths.slice(t * share, (t + 1) * share) };
      return new Promise<ScoringResult>((resolve, reject) => {
        const worker = new Worker(url, { workerData: part });
        worker.once('message', (result: ScoringResult) => {
          resolve(result);
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`scoring worker exited with ${code}`));
        });
      });
    }),
  );
}

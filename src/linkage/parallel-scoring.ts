import type { Worker } from 'node:worker_threads';
import { startWorker, workerKind } from '../core/worker-thread.js';
import { generateCandidatePairs } from './blocking.js';
import type { ChinaColumnarPairs, ChinaColumns, ChinaDictionary, ChinaNameCounts } from './china-columns.js';
import { chinaColumnarOver, countChinaNames, createChinaEncoder } from './china-columns.js';
import {
  type ChinaPerson,
  chinaBlockingRules,
  chinaComparisons,
  createPersonNormaliser,
  type PersonInput,
} from './china-preset.js';
import type { ModelParameters } from './model.js';
import { comparedFromPatternKeys } from './training.js';

const compiledWorker = new URL('./scoring-worker.js', import.meta.url);

/**
 * Whether `scoreInWorkers` and `chinaColumnarPairsInWorkers` can start their workers: the compiled
 * scoring-worker.js (dist/), or, running from the TypeScript sources (vitest), the source through tsx's loader.
 * @example const threads = scoringWorkersAvailable() ? 2 : 1;
 */
export function scoringWorkersAvailable(): boolean {
  return workerKind(compiledWorker) !== undefined;
}

function startScoringWorker(workerData: unknown): Worker {
  if (workerKind(compiledWorker) !== undefined) return startWorker(compiledWorker, workerData);
  throw new Error('the scoring worker is neither compiled (dist/) nor runnable from source: use one thread');
}

/**
 * What scoring needs, prepared once on the main thread: both sides as columns and the candidate pairs (grouped by
 * death record, ascending), all in SharedArrayBuffers, so a worker reads them without copying or re-preparing;
 * the interned values, the roll's name counts and the model as plain data.
 */
export interface ScoringJob {
  readonly deaths: ChinaColumns;
  readonly roll: ChinaColumns;
  readonly rollIds: readonly string[];
  readonly dictionary: ChinaDictionary;
  readonly nameCounts: ChinaNameCounts;
  readonly pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number };
  readonly parameters: ModelParameters;
  readonly threshold: number;
}

/** The best beneficiary (roll index, -1 for none) of each death record of a share, and the share's timing. */
export interface ScoringResult {
  /** First death record of the share; best[i] belongs to death record `firstDeath + i`. */
  readonly firstDeath: number;
  readonly best: Int32Array;
  readonly weights: Float64Array;
  readonly candidatePairs: number;
  /** Milliseconds spent comparing and scoring the share's candidate pairs. */
  readonly compareMs: number;
}

/**
 * Normalises, encodes (shared memory) and blocks: everything before comparison, done once for every thread.
 * @example const job = prepareScoringJob(roll, deaths, parameters, 0.5); await scoreInWorkers(job, 2);
 */
export function prepareScoringJob(
  roll: readonly PersonInput[],
  deaths: readonly PersonInput[],
  parameters: ModelParameters,
  threshold: number,
): ScoringJob {
  const comparisons = chinaComparisons();
  const normalise = createPersonNormaliser();
  const rollPersons = roll.map(normalise);
  const deathPersons = deaths.map(normalise);
  const encoder = createChinaEncoder(comparisons);
  const rollColumns = encoder.encode(rollPersons, { shared: true });
  const nameCounts = countChinaNames(rollColumns, encoder.dictionary);
  const deathColumns = encoder.encode(deathPersons, { shared: true });
  const candidates = generateCandidatePairs(chinaBlockingRules(), deathPersons, rollPersons);
  const share = (xs: Uint32Array) => {
    const out = new Uint32Array(new SharedArrayBuffer(Math.max(xs.length, 1) * 4), 0, xs.length);
    out.set(xs);
    return out;
  };
  return {
    deaths: deathColumns,
    roll: rollColumns,
    rollIds: rollPersons.map((p) => p.id),
    dictionary: encoder.dictionary,
    nameCounts,
    pairs: { left: share(candidates.left), right: share(candidates.right), count: candidates.count },
    parameters,
    threshold,
  };
}

/**
 * Splits the candidate pairs into `threads` shares at death-record boundaries and scores each in a worker thread
 * (`scoring-worker.ts` runs `scoreShare`); the columns and pairs are shared, not copied.
 * @example const results = await scoreInWorkers(job, 2); // one result per share, in order
 */
export async function scoreInWorkers(job: ScoringJob, threads: number): Promise<ScoringResult[]> {
  const bounds = [0];
  for (let t = 1; t < threads; t++) {
    let p = Math.max(bounds[t - 1]!, Math.floor((job.pairs.count * t) / threads));
    while (p > 0 && p < job.pairs.count && job.pairs.left[p] === job.pairs.left[p - 1]) p++;
    bounds.push(p);
  }
  bounds.push(job.pairs.count);
  return Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const range = { from: bounds[t]!, to: bounds[t + 1]! };
      return new Promise<ScoringResult>((resolve, reject) => {
        const worker = startScoringWorker({ job, ...range });
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

/** What a comparing worker reads (shared memory, but for the dictionary) and where it writes its pattern keys. */
export interface PatternKeyJob {
  readonly deaths: ChinaColumns;
  readonly roll: ChinaColumns;
  readonly dictionary: ChinaDictionary;
  readonly pairs: { readonly left: Uint32Array; readonly right: Uint32Array };
  readonly keys: Int32Array;
}

/**
 * `chinaColumnarPairs` (the preset's comparisons) with the candidate pairs compared by `threads` worker threads,
 * each writing the pattern keys of its share into shared memory; the patterns are then numbered here, in pair
 * order, so the result equals the one-thread `chinaColumnarPairs` exactly.
 * @example const columnar = await chinaColumnarPairsInWorkers(deaths, roll, candidates, 2);
 */
export async function chinaColumnarPairsInWorkers(
  left: readonly ChinaPerson[],
  right: readonly ChinaPerson[],
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number },
  threads: number,
): Promise<ChinaColumnarPairs> {
  // The workers start first: loading the preset (its word and pinyin dictionaries) overlaps the encoding here.
  const workers = Array.from({ length: threads }, () => startScoringWorker({ task: 'patternKeys' }));
  const comparisons = chinaComparisons();
  const encoder = createChinaEncoder(comparisons);
  const rightColumns = encoder.encode(right, { shared: true });
  const counts = countChinaNames(rightColumns, encoder.dictionary);
  const leftColumns = encoder.encode(left, { shared: true });
  const share = (xs: Uint32Array): Uint32Array => {
    const out = new Uint32Array(new SharedArrayBuffer(Math.max(xs.length, 1) * 4), 0, xs.length);
    out.set(xs);
    return out;
  };
  const keys = new Int32Array(new SharedArrayBuffer(Math.max(pairs.count, 1) * 4), 0, pairs.count);
  const job: PatternKeyJob = {
    deaths: leftColumns,
    roll: rightColumns,
    dictionary: encoder.dictionary,
    pairs: { left: share(pairs.left), right: share(pairs.right) },
    keys,
  };
  await Promise.all(
    workers.map((worker, t) => {
      const from = Math.floor((pairs.count * t) / threads);
      const to = Math.floor((pairs.count * (t + 1)) / threads);
      return new Promise<void>((resolve, reject) => {
        worker.once('message', () => {
          resolve();
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`comparing worker exited with ${code}`));
        });
        worker.postMessage({ job, from, to });
      });
    }),
  );
  const compared = comparedFromPatternKeys(comparisons, keys);
  return chinaColumnarOver(comparisons, encoder.dictionary, {
    leftColumns,
    rightColumns,
    counts,
    pairs,
    compared,
  });
}

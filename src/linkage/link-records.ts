import { type BlockingReport, type BlockingRule, generateCandidatePairs } from './blocking.js';
import type { AnyComparison } from './comparison.js';
import {
  createModel,
  type Model,
  type ModelParameters,
  type PairScore,
  probabilityFromWeight,
  weightFromProbability,
} from './model.js';
import { type OneToOne, selectLinks } from './one-to-one.js';
import {
  applyTermFrequencies,
  buildTermFrequencies,
  type PreparedRecord,
  prepareRecords,
  type TermFrequencyTables,
  termFrequencySlots,
} from './prepare-records.js';
import {
  comparePairs,
  type PriorMethod,
  type TrainingOptions,
  type TrainingResult,
  trainModel,
} from './training.js';

/** Everything the engine needs to link two record sets of type T (the general engine and every preset). */
export interface LinkSettings<T> {
  readonly comparisons: readonly AnyComparison<T>[];
  readonly blockingRules: readonly BlockingRule<T>[];
  readonly leftId: (record: T) => string;
  readonly rightId: (record: T) => string;
  /** Match probability at or above which a pair is a link (e.g. 0.5). */
  readonly threshold: number;
  readonly oneToOne: OneToOne;
  readonly training?: Omit<TrainingOptions, 'prior'> & {
    readonly prior?: { readonly kind: 'em' } | { readonly kind: 'fixed'; readonly probability: number };
  };
  /**
   * Rules whose agreeing pairs are taken as matches to set λ (e.g. exact ID), with their assumed recall;
   * overrides `training.prior`.
   */
  readonly deterministicRules?: { readonly rules: readonly BlockingRule<T>[]; readonly recall: number };
  /** Score with these parameters instead of training (e.g. a model trained on the batch, reused later). */
  readonly parameters?: ModelParameters;
}

export interface Link {
  readonly leftIndex: number;
  readonly rightIndex: number;
  readonly leftId: string;
  readonly rightId: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
}

export interface LinkResult {
  /** Heaviest first. */
  readonly links: readonly Link[];
  readonly model: Model;
  readonly parameters: ModelParameters;
  /** Absent when `parameters` were given. */
  readonly training?: TrainingResult;
  readonly blocking: BlockingReport;
  readonly termFrequencies: TermFrequencyTables;
  readonly left: readonly PreparedRecord[];
  readonly right: readonly PreparedRecord[];
  /** Milliseconds per stage. */
  readonly timings: {
    readonly prepare: number;
    readonly blocking: number;
    readonly compare: number;
    readonly training: number;
    readonly scoring: number;
  };
  /** Weight, probability and explanation of a link (or any pair of indexes). */
  explain(leftIndex: number, rightIndex: number): PairScore;
}

export interface LinkOptions {
  /** True pairs (left id, right id), used only to measure blocking recall, never to train. */
  readonly labels?: Iterable<readonly [string, string]>;
}

/**
 * Links two record sets: prepare → block → compare → train (u from random pairs, m by EM) → score → select.
 * A pure function over arrays: no I/O.
 * @example
 * const result = linkRecords(settings, deaths, roll);
 * for (const link of result.links) console.log(link.leftId, link.rightId, link.matchProbability);
 */
export function linkRecords<T>(
  settings: LinkSettings<T>,
  leftRecords: readonly T[],
  rightRecords: readonly T[],
  options: LinkOptions = {},
): LinkResult {
  const { comparisons } = settings;
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - t;
    t = now;
    return elapsed;
  };
  const left = prepareRecords(comparisons, leftRecords, settings.leftId);
  const right = prepareRecords(comparisons, rightRecords, settings.rightId);
  const termFrequencies = buildTermFrequencies(termFrequencySlots(comparisons), [left, right]);
  applyTermFrequencies(termFrequencies, left);
  applyTermFrequencies(termFrequencies, right);
  const prepare = lap();

  const candidates = generateCandidatePairs(
    settings.blockingRules,
    leftRecords,
    rightRecords,
    options.labels === undefined
      ? undefined
      : { labels: options.labels, leftId: settings.leftId, rightId: settings.rightId },
  );
  const blocking = lap();

  const compared = comparePairs(comparisons, left, right, candidates);
  const compare = lap();

  let training: TrainingResult | undefined;
  let parameters = settings.parameters;
  if (parameters === undefined) {
    let prior: PriorMethod = settings.training?.prior ?? { kind: 'em' };
    if (settings.deterministicRules !== undefined) {
      const accepted = generateCandidatePairs(
        settings.deterministicRules.rules,
        leftRecords,
        rightRecords,
      ).count;
      prior = { kind: 'deterministic', matches: accepted, recall: settings.deterministicRules.recall };
    }
    training = trainModel(comparisons, left, right, compared, { ...settings.training, prior });
    parameters = training.parameters;
  }
  const model = createModel(comparisons, parameters);
  const trainingTime = lap();

  const weight = scoreCompared(model, compared, left, right, candidates);
  const minimumWeight = weightFromProbability(Math.min(Math.max(settings.threshold, 1e-12), 1 - 1e-12));
  const chosen = selectLinks(
    { left: candidates.left, right: candidates.right, weight, count: candidates.count },
    settings.oneToOne,
    minimumWeight,
  );
  const links = chosen.map((i): Link => {
    const leftIndex = candidates.left[i]!;
    const rightIndex = candidates.right[i]!;
    return {
      leftIndex,
      rightIndex,
      leftId: left[leftIndex]!.id,
      rightId: right[rightIndex]!.id,
      matchWeight: weight[i]!,
      matchProbability: probabilityFromWeight(weight[i]!),
    };
  });
  const scoring = lap();
  return {
    links,
    model,
    parameters,
    ...(training === undefined ? {} : { training }),
    blocking: candidates.report,
    termFrequencies,
    left,
    right,
    timings: { prepare, blocking, compare, training: trainingTime, scoring },
    explain: (i, j) => model.scorePair(left[i]!, right[j]!),
  };
}

/** Match weights of compared pairs: one table look-up per pattern, plus term frequencies where they apply. */
export function scoreCompared(
  model: Model,
  compared: ReturnType<typeof comparePairs>,
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[],
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number },
): Float64Array {
  const K = compared.levelCounts.length;
  const levelsOf = Array.from({ length: compared.size }, (_, p) =>
    compared.patterns.subarray(p * K, p * K + K),
  );
  // A pattern's weight without term frequencies; patterns that touch a TF level are re-scored per pair.
  const patternWeight = new Float64Array(compared.size);
  const patternNeedsTf = new Uint8Array(compared.size);
  for (let p = 0; p < compared.size; p++) {
    let w = model.priorWeight;
    for (let k = 0; k < K; k++) w += model.weights[k]![levelsOf[p]![k]!]!;
    patternWeight[p] = w;
    if (tfApplies(model, levelsOf[p]!)) patternNeedsTf[p] = 1;
  }
  const out = new Float64Array(pairs.count);
  for (let i = 0; i < pairs.count; i++) {
    const p = compared.pairPattern[i]!;
    out[i] =
      patternNeedsTf[p] === 1
        ? model.weightOfLevels(levelsOf[p]!, left[pairs.left[i]!]!, right[pairs.right[i]!]!)
        : patternWeight[p]!;
  }
  return out;
}

function tfApplies(model: Model, levels: Uint8Array): boolean {
  for (let k = 0; k < levels.length; k++) if (model.tfLevels[k]![levels[k]!] === 1) return true;
  return false;
}

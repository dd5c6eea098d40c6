/**
 * A blocking rule: records whose keys are equal (and defined) become candidate pairs.
 * @example const dobRule: BlockingRule<Row> = { name: 'date_of_birth', key: (r) => r.date_of_birth };
 */
export interface BlockingRule<T> {
  readonly name: string;
  key(record: T): string | undefined;
  /** Blocks with more right-side records than this are skipped (and counted in the report). */
  readonly maxBlockSize?: number;
}

/** An index of one side by every rule's key; the other side streams through it. */
export interface BlockingIndex<T> {
  readonly rules: readonly BlockingRule<T>[];
  /**
   * Calls `visit` once per distinct candidate on the indexed side, with the first rule that produced it.
   * Returns how many pairs the rules produced before de-duplication.
   */
  candidates(record: T, visit: (index: number, rule: number) => void): number;
}

/**
 * Indexes `records` (usually the larger side, e.g. the roll) by each rule's key.
 * @example
 * const index = createBlockingIndex(rules, beneficiaries);
 * index.candidates(death, (j) => consider(beneficiaries[j]));
 */
export function createBlockingIndex<T>(
  rules: readonly BlockingRule<T>[],
  records: readonly T[],
): BlockingIndex<T> {
  const maps = rules.map((rule) => {
    const map = new Map<string, number[]>();
    for (let j = 0; j < records.length; j++) {
      const key = rule.key(records[j]!);
      if (key === undefined || key === '') continue;
      const bucket = map.get(key);
      if (bucket === undefined) map.set(key, [j]);
      else bucket.push(j);
    }
    return map;
  });
  // stamp[j] = the query that last visited j: de-duplication across rules without a Set per query.
  const stamp = new Int32Array(records.length).fill(-1);
  let query = 0;
  return {
    rules,
    candidates(record, visit) {
      query = (query + 1) & 0x7fffffff;
      if (query === 0) stamp.fill(-1);
      let produced = 0;
      for (let r = 0; r < rules.length; r++) {
        const rule = rules[r]!;
        const key = rule.key(record);
        if (key === undefined || key === '') continue;
        const bucket = maps[r]!.get(key);
        if (bucket === undefined) continue;
        if (rule.maxBlockSize !== undefined && bucket.length > rule.maxBlockSize) continue;
        produced += bucket.length;
        for (let i = 0; i < bucket.length; i++) {
          const j = bucket[i]!;
          if (stamp[j] === query) continue;
          stamp[j] = query;
          visit(j, r);
        }
      }
      return produced;
    },
  };
}

export interface BlockingRuleReport {
  readonly name: string;
  /** Pairs the rule produces on its own. */
  readonly pairs: number;
  /** Pairs it adds to those of the rules before it. */
  readonly newPairs: number;
  /** Share of the labelled true pairs whose keys agree under this rule (only with labels). */
  readonly recall?: number;
}

export interface BlockingReport {
  readonly rules: readonly BlockingRuleReport[];
  /** Distinct candidate pairs. */
  readonly totalPairs: number;
  /** All pairs: left × right. */
  readonly comparisonSpace: number;
  /** Share of the labelled true pairs among the candidates (only with labels). */
  readonly recall?: number;
  readonly labelledPairs?: number;
}

/** Candidate pairs as two parallel index arrays (left[i], right[i]), i < count. */
export interface CandidatePairs {
  readonly left: Uint32Array;
  readonly right: Uint32Array;
  readonly count: number;
  readonly report: BlockingReport;
}

export interface BlockingEvaluation<T> {
  /** True pairs (left id, right id), for measuring recall only. */
  readonly labels: Iterable<readonly [string, string]>;
  readonly leftId: (record: T) => string;
  readonly rightId: (record: T) => string;
}

/**
 * The union of the rules' pairs, each pair once: the right side is indexed, the left side streams.
 * @example const { left, right, count, report } = generateCandidatePairs(rules, deaths, roll);
 */
export function generateCandidatePairs<T>(
  rules: readonly BlockingRule<T>[],
  left: readonly T[],
  right: readonly T[],
  evaluation?: BlockingEvaluation<T>,
): CandidatePairs {
  const index = createBlockingIndex(rules, right);
  let capacity = 1 << 16;
  let leftOut = new Uint32Array(capacity);
  let rightOut = new Uint32Array(capacity);
  let count = 0;
  const newPairs = new Float64Array(rules.length);
  let current = 0;
  const visit = (j: number, rule: number): void => {
    if (count === capacity) {
      capacity *= 2;
      const l = new Uint32Array(capacity);
      l.set(leftOut);
      leftOut = l;
      const r = new Uint32Array(capacity);
      r.set(rightOut);
      rightOut = r;
    }
    leftOut[count] = current;
    rightOut[count] = j;
    count++;
    newPairs[rule]!++;
  };
  for (let i = 0; i < left.length; i++) {
    current = i;
    index.candidates(left[i]!, visit);
  }
  const rulePairs = rules.map((rule) => pairsOfRule(rule, left, right));
  const recall = evaluation === undefined ? undefined : blockingRecall(rules, left, right, evaluation);
  const report: BlockingReport = {
    rules: rules.map((rule, r) => ({
      name: rule.name,
      pairs: rulePairs[r]!,
      newPairs: newPairs[r]!,
      ...(recall === undefined ? {} : { recall: recall.perRule[r]! }),
    })),
    totalPairs: count,
    comparisonSpace: left.length * right.length,
    ...(recall === undefined ? {} : { recall: recall.union, labelledPairs: recall.labelled }),
  };
  return { left: leftOut.subarray(0, count), right: rightOut.subarray(0, count), count, report };
}

function pairsOfRule<T>(rule: BlockingRule<T>, left: readonly T[], right: readonly T[]): number {
  const counts = new Map<string, number>();
  for (const record of right) {
    const key = rule.key(record);
    if (key !== undefined && key !== '') counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let pairs = 0;
  for (const record of left) {
    const key = rule.key(record);
    if (key === undefined || key === '') continue;
    const n = counts.get(key) ?? 0;
    if (rule.maxBlockSize === undefined || n <= rule.maxBlockSize) pairs += n;
  }
  return pairs;
}

/** Recall of each rule and of their union over labelled true pairs, from the keys alone. */
export function blockingRecall<T>(
  rules: readonly BlockingRule<T>[],
  left: readonly T[],
  right: readonly T[],
  evaluation: BlockingEvaluation<T>,
): { perRule: number[]; union: number; labelled: number } {
  const leftById = new Map(left.map((r) => [evaluation.leftId(r), r] as const));
  const rightById = new Map(right.map((r) => [evaluation.rightId(r), r] as const));
  const hits = new Array<number>(rules.length).fill(0);
  let union = 0;
  let labelled = 0;
  for (const [l, r] of evaluation.labels) {
    const a = leftById.get(l);
    const b = rightById.get(r);
    labelled++;
    if (a === undefined || b === undefined) continue;
    let any = false;
    rules.forEach((rule, i) => {
      const ka = rule.key(a);
      if (ka !== undefined && ka !== '' && ka === rule.key(b)) {
        hits[i]!++;
        any = true;
      }
    });
    if (any) union++;
  }
  const share = (n: number) => (labelled === 0 ? 1 : n / labelled);
  return { perRule: hits.map(share), union: share(union), labelled };
}

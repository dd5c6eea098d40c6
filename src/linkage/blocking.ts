import { blockingKeyCheck, blockingKeyHash } from './blocking-key-hash.js';

/**
 * A blocking rule: records whose keys are equal (and defined) become candidate pairs.
 * @example const dobRule: BlockingRule<Row> = { name: 'date_of_birth', key: (r) => r.date_of_birth };
 */
export interface BlockingRule<T> {
  readonly name: string;
  key(record: T): string | undefined;
  /**
   * Blocks with more right-side records than this are skipped (and counted in the report). The size is the
   * roll-wide count of records with the key's hash (`blockingKeyHash`), so the incremental path, which reads the
   * same count from the stored keys, skips exactly the blocks the batch skips.
   */
  readonly maxBlockSize?: number;
  /**
   * A stored roll index (matching on arrival, `blocking-candidates.ts`) keeps a copy of each record clustered by this
   * rule's key, so that one of its blocks is one range read: set it on the rules with the largest blocks.
   */
  readonly cluster?: boolean;
}

/** Roll-wide block size of a rule's key (for a capped rule), when the index holds only part of the roll. */
export type BlockSizeOf = (rule: number, key: string) => number;

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
 * Indexes `records` by each rule's key (a Map per rule: meant for small sets, e.g. the candidates of one
 * incremental look-up; the batch uses `generateCandidatePairs`). `blockSize` gives the roll-wide size of a capped
 * rule's block when `records` are only part of the roll; without it the size is the block's size here.
 * @example
 * const index = createBlockingIndex(rules, beneficiaries);
 * index.candidates(death, (j) => consider(beneficiaries[j]));
 */
export function createBlockingIndex<T>(
  rules: readonly BlockingRule<T>[],
  records: readonly T[],
  blockSize?: BlockSizeOf,
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
        if (rule.maxBlockSize !== undefined) {
          const size = blockSize === undefined ? bucket.length : blockSize(r, key);
          if (size > rule.maxBlockSize) continue;
        }
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

/**
 * The same candidates as `createBlockingIndex(rules, records, blockSize).candidates(record, …)` for one record, without
 * indexing `records`: each is checked against the record's keys, the broadest rules first (the rules are listed from
 * the most specific, and a record read for a query mostly shares a broad key), stopping at the first that agrees, so
 * a candidate costs one or two keys rather than one per rule. Visits each agreeing index once, in index order, with
 * the rule that agreed; returns how many there were.
 * @example forEachCandidate(rules, death, candidates, (j) => score(death, candidates[j]), blockSize);
 */
export function forEachCandidate<T>(
  rules: readonly BlockingRule<T>[],
  record: T,
  records: readonly T[],
  visit: (index: number, rule: number) => void,
  blockSize?: BlockSizeOf,
): number {
  // The record's keys, broadest rule first; a capped rule's oversized block (roll-wide, or here) is left out.
  const keys: { rule: number; key: string }[] = [];
  for (let r = rules.length - 1; r >= 0; r--) {
    const rule = rules[r]!;
    const key = rule.key(record);
    if (key === undefined || key === '') continue;
    if (rule.maxBlockSize !== undefined) {
      const size =
        blockSize === undefined
          ? records.reduce((n, other) => (rule.key(other) === key ? n + 1 : n), 0)
          : blockSize(r, key);
      if (size > rule.maxBlockSize) continue;
    }
    keys.push({ rule: r, key });
  }
  let visited = 0;
  for (let j = 0; j < records.length; j++) {
    const other = records[j]!;
    for (let k = 0; k < keys.length; k++) {
      const { rule, key } = keys[k]!;
      if (rules[rule]!.key(other) !== key) continue;
      visit(j, rule);
      visited++;
      break;
    }
  }
  return visited;
}

/** Counts holders of each key hash up to `atMost` (the store's `blockingKeyCounts`). */
export type KeyHashCounts = (
  hashes: readonly number[],
  atMost: number,
) => Promise<ReadonlyMap<number, number>>;

/**
 * What the incremental path looks up for some records: their key hashes, less those of a capped rule whose
 * roll-wide block is above the cap, and the roll-wide size of every capped block (for `createBlockingIndex`), so
 * that it skips exactly the blocks the batch skips. Only capped keys are counted, each up to its cap + 1.
 * @example
 * const lookup = await storedBlockingLookup(rules, deaths, store.blockingKeyCounts);
 * const ids = await store.beneficiariesByBlockingKeys(lookup.hashes);
 */
export async function storedBlockingLookup<T>(
  rules: readonly BlockingRule<T>[],
  records: readonly T[],
  countHashes: KeyHashCounts,
): Promise<{ readonly hashes: number[]; readonly blockSize: BlockSizeOf }> {
  const hashes: number[] = [];
  const cappedByLimit = new Map<number, number[]>();
  for (const record of records) {
    rules.forEach((rule, r) => {
      const key = rule.key(record);
      if (key === undefined || key === '') return;
      const hash = blockingKeyHash(r, key);
      hashes.push(hash);
      if (rule.maxBlockSize === undefined) return;
      const list = cappedByLimit.get(rule.maxBlockSize) ?? [];
      list.push(hash);
      cappedByLimit.set(rule.maxBlockSize, list);
    });
  }
  const sizes = new Map<number, number>();
  const oversized = new Set<number>();
  for (const [max, list] of cappedByLimit) {
    for (const [hash, n] of await countHashes(list, max + 1)) {
      sizes.set(hash, n);
      if (n > max) oversized.add(hash);
    }
  }
  return {
    hashes: hashes.filter((h) => !oversized.has(h)),
    blockSize: (rule, key) => sizes.get(blockingKeyHash(rule, key)) ?? 0,
  };
}

/**
 * Each record's key under each rule, computed once, as the 52-bit `blockingKeyHash` (NaN = no key) and an
 * independent 32-bit check hash: two records are in the same block when both agree (a false agreement has
 * odds ~2^-84 per pair).
 */
export interface RuleKeyHashes {
  readonly hash: Float64Array;
  readonly check: Int32Array;
}

export function ruleKeyHashes<T>(rule: BlockingRule<T>, r: number, records: readonly T[]): RuleKeyHashes {
  const hash = new Float64Array(records.length);
  const check = new Int32Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const key = rule.key(records[i]!);
    if (key === undefined || key === '') {
      hash[i] = Number.NaN;
      continue;
    }
    hash[i] = blockingKeyHash(r, key);
    check[i] = blockingKeyCheck(key);
  }
  return { hash, check };
}

/**
 * Records grouped by key hash: an open-addressing table from hash to block, and the blocks laid out contiguously
 * (`members[start[b] .. start[b + 1]]`), built in O(n) without a Map of arrays.
 */
export interface HashedBlocks {
  /** The block of a hash, or -1. */
  blockOf(hash: number): number;
  readonly start: Uint32Array;
  readonly members: Uint32Array;
}

export function hashedBlocks(hashes: Float64Array): HashedBlocks {
  let capacity = 16;
  while (capacity < hashes.length * 2) capacity *= 2;
  const mask = capacity - 1;
  const slotHash = new Float64Array(capacity).fill(Number.NaN);
  const slotBlock = new Int32Array(capacity);
  const blockOfRecord = new Int32Array(hashes.length).fill(-1);
  const sizes: number[] = [];
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i]!;
    if (Number.isNaN(h)) continue;
    let s = (h >>> 0) & mask;
    while (!Number.isNaN(slotHash[s]!) && slotHash[s] !== h) s = (s + 1) & mask;
    if (Number.isNaN(slotHash[s]!)) {
      slotHash[s] = h;
      slotBlock[s] = sizes.length;
      sizes.push(0);
    }
    const b = slotBlock[s]!;
    blockOfRecord[i] = b;
    sizes[b]!++;
  }
  const start = new Uint32Array(sizes.length + 1);
  for (let b = 0; b < sizes.length; b++) start[b + 1] = start[b]! + sizes[b]!;
  const fill = start.slice(0, sizes.length);
  const members = new Uint32Array(start[sizes.length]!);
  for (let i = 0; i < hashes.length; i++) {
    const b = blockOfRecord[i]!;
    if (b >= 0) members[fill[b]!++] = i;
  }
  return {
    start,
    members,
    blockOf(h) {
      if (Number.isNaN(h)) return -1;
      let s = (h >>> 0) & mask;
      while (!Number.isNaN(slotHash[s]!)) {
        if (slotHash[s] === h) return slotBlock[s]!;
        s = (s + 1) & mask;
      }
      return -1;
    },
  };
}

export interface BlockingRuleReport {
  readonly name: string;
  /** Pairs the rule produces on its own. */
  readonly pairs: number;
  /** Pairs it adds to those of the rules before it. */
  readonly newPairs: number;
  /** Pairs left out because their block was above `maxBlockSize` (only for a capped rule). */
  readonly skippedPairs?: number;
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
 * The union of the rules' pairs, each pair once, grouped by left record: each rule's keys are hashed once per
 * record, the right side is grouped by hash (`hashedBlocks`), the left side streams through.
 * @example const { left, right, count, report } = generateCandidatePairs(rules, deaths, roll);
 */
export function generateCandidatePairs<T>(
  rules: readonly BlockingRule<T>[],
  left: readonly T[],
  right: readonly T[],
  evaluation?: BlockingEvaluation<T>,
): CandidatePairs {
  const leftKeys = rules.map((rule, r) => ruleKeyHashes(rule, r, left));
  const rightKeys = rules.map((rule, r) => ruleKeyHashes(rule, r, right));
  const blocks = rightKeys.map((keys) => hashedBlocks(keys.hash));
  let capacity = 1 << 16;
  let leftOut = new Uint32Array(capacity);
  let rightOut = new Uint32Array(capacity);
  let count = 0;
  const rulePairs = new Float64Array(rules.length);
  const newPairs = new Float64Array(rules.length);
  const skipped = new Float64Array(rules.length);
  // stamp[j] = 1 + the left record that last reached j: de-duplication across rules without a Set.
  const stamp = new Int32Array(right.length);
  for (let i = 0; i < left.length; i++) {
    for (let r = 0; r < rules.length; r++) {
      const b = blocks[r]!.blockOf(leftKeys[r]!.hash[i]!);
      if (b < 0) continue;
      const { start, members } = blocks[r]!;
      const from = start[b]!;
      const to = start[b + 1]!;
      const max = rules[r]!.maxBlockSize;
      if (max !== undefined && to - from > max) {
        skipped[r]! += to - from;
        continue;
      }
      const check = leftKeys[r]!.check[i]!;
      const rightCheck = rightKeys[r]!.check;
      for (let m = from; m < to; m++) {
        const j = members[m]!;
        if (rightCheck[j] !== check) continue;
        rulePairs[r]!++;
        if (stamp[j] === i + 1) continue;
        stamp[j] = i + 1;
        if (count === capacity) {
          capacity *= 2;
          const l = new Uint32Array(capacity);
          l.set(leftOut);
          leftOut = l;
          const o = new Uint32Array(capacity);
          o.set(rightOut);
          rightOut = o;
        }
        leftOut[count] = i;
        rightOut[count] = j;
        count++;
        newPairs[r]!++;
      }
    }
  }
  const recall = evaluation === undefined ? undefined : blockingRecall(rules, left, right, evaluation);
  const report: BlockingReport = {
    rules: rules.map((rule, r) => ({
      name: rule.name,
      pairs: rulePairs[r]!,
      newPairs: newPairs[r]!,
      ...(rule.maxBlockSize === undefined ? {} : { skippedPairs: skipped[r]! }),
      ...(recall === undefined ? {} : { recall: recall.perRule[r]! }),
    })),
    totalPairs: count,
    comparisonSpace: left.length * right.length,
    ...(recall === undefined ? {} : { recall: recall.union, labelledPairs: recall.labelled }),
  };
  return { left: leftOut.subarray(0, count), right: rightOut.subarray(0, count), count, report };
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

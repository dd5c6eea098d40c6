import type { Fen } from '../core/money.js';
import type { Result } from '../core/result.js';
import type { CalendarDate, EpochMs, Period } from '../core/time.js';
import type {
  Decision,
  DecisionKind,
  LifeSign,
  ProposedDecision,
  Reversal,
} from '../entitlement/entitlement.js';
import type { ExplanationTerm, ModelParameters } from '../linkage/model.js';
import type { BenefitStatus, DeathSource } from '../records/enums.js';
import type { Beneficiary, Certification, DeathRecord, Payment } from '../records/schemas.js';

/**
 * What death matching needs from a store: the roll and the death records (read in batches), the blocking keys
 * of the roll (indexed, for matching one record on arrival), the trained model, the links, the findings and
 * the decisions. src/store implements it for SQLite and PostgreSQL; the one contract suite tests both.
 */

/** One blocking key of one beneficiary: `hash` = blockingKeyHash(rule index, key), a non-negative safe integer. */
export interface BlockingKeyRow {
  readonly hash: number;
  readonly beneficiaryId: string;
}

/**
 * One beneficiary's normalised person, encoded for matching on arrival (`encodeCandidate` in
 * src/linkage/blocking-candidates.ts): opaque to the store.
 */
export interface CandidateRow {
  readonly beneficiaryId: string;
  /**
   * The cluster the row is stored in: the hash of the beneficiary's key under one of the clustering blocking rules
   * (`blockingKeyHash`; a beneficiary has a row per such key), -1 without any. `blockingCandidates` reads such a
   * block as one range.
   */
  readonly block: number;
  readonly candidate: string;
}

/** A beneficiary holding one of the looked-up key hashes, with its stored candidate row when it has one. */
export interface BlockingCandidate {
  readonly beneficiaryId: string;
  /** Undefined when the beneficiary has keys but no candidate row (indexed before schema version 12). */
  readonly candidate: string | undefined;
}

/** A value count of one term-frequency slot over the roll (slot 0: name characters, 1: name pinyin). */
export interface TermFrequencyRow {
  readonly slot: number;
  readonly value: string;
  readonly count: number;
}

/** The model the batch trained, kept so that every later match scores with the same one. */
export interface StoredModel {
  readonly modelId: string;
  readonly createdAt: EpochMs;
  /** e.g. `china`: which comparisons and blocking rules the parameters belong to. */
  readonly preset: string;
  readonly parameters: ModelParameters;
  /** Threshold, term-frequency totals per slot, roll size: what scoring needs besides the parameters. */
  readonly settings: MatchModelSettings;
}

export interface MatchModelSettings {
  readonly threshold: number;
  /** Non-missing values per term-frequency slot over the roll (frequency = count / total). */
  readonly termFrequencyTotals: readonly number[];
  readonly rollSize: number;
}

/** A death record's match: linked to a beneficiary (with weight, probability, explanation) or to none. */
export interface DeathMatch {
  readonly source: DeathSource;
  readonly recordId: string;
  /** Undefined: the record was considered and links to nobody on the roll. */
  readonly beneficiaryId: string | undefined;
  readonly matchWeight: number | undefined;
  readonly matchProbability: number | undefined;
  /** Each field's level and weight; prior + Σ terms = match weight. */
  readonly explanation:
    | {
        readonly priorWeight: number;
        readonly terms: readonly ExplanationTerm[];
        /** Other roll members scoring exactly as well (a tie): the link is then no source about this one. */
        readonly tiedCandidates?: number;
      }
    | undefined;
  readonly modelId: string;
  readonly matchedAt: EpochMs;
}

/** A link read back with what fusion needs from its death record. */
export interface StoredLink extends DeathMatch {
  readonly beneficiaryId: string;
  readonly matchWeight: number;
  readonly matchProbability: number;
  readonly deathDate: CalendarDate;
}

/** One beneficiary believed dead: fused evidence, entitlement, decision. */
export interface Finding {
  readonly beneficiaryId: string;
  readonly deathDate: CalendarDate;
  readonly dateSupport: number;
  /** `source:record_id`, heaviest link first. */
  readonly evidence: readonly string[];
  readonly matchProbability: number;
  readonly decision: DecisionKind;
  readonly firstUnentitledPeriod: Period;
  readonly overpaidFen: Fen;
  readonly overpaidPayments: number;
  /** Roll status as loaded, and after the decision (the one in force, reversals included). */
  readonly rollStatus: BenefitStatus;
  readonly statusAfter: BenefitStatus;
  readonly decisionId: string;
  readonly updatedAt: EpochMs;
  /**
   * A life sign after the fused death date (docs/entitlement.md): the death is contested, the decision is a
   * review, and the overpayment is reported apart from the uncontested total.
   */
  readonly lifeSign?: LifeSign;
  /**
   * No linked record is about this beneficiary alone (each carries another person's ID number, is reported elsewhere
   * under one, or fits another roll member as well): a review with no action, its overpayment not claimed.
   */
  readonly unsupported?: true;
}

export interface DeathRecordQuery {
  /** Only records reported (or, when the report date is unknown, dead) on or before this date. */
  readonly through?: CalendarDate;
  /** Only records with no stored match yet (what `match --incremental` considers). */
  readonly unmatchedOnly?: boolean;
  readonly batchSize?: number;
}

export interface MatchingStore {
  /**
   * The roll in batches, in beneficiary_id order, without loading it all at once.
   * @example for await (const batch of store.readBeneficiaries({ batchSize: 50_000 })) index(batch);
   */
  readBeneficiaries(options?: { readonly batchSize?: number }): AsyncIterable<readonly Beneficiary[]>;
  /** Death records in batches, in (source, record_id) order. */
  readDeathRecords(query?: DeathRecordQuery): AsyncIterable<readonly DeathRecord[]>;
  /** The beneficiaries with these ids (any order; unknown ids are left out). */
  findBeneficiaries(ids: readonly string[]): Promise<readonly Beneficiary[]>;

  /** Replaces every blocking key of the roll (bulk: the index is rebuilt once at the end). */
  replaceBlockingKeys(
    batches: AsyncIterable<readonly BlockingKeyRow[]> | Iterable<readonly BlockingKeyRow[]>,
  ): Promise<number>;
  /** Adds keys (a key already there is kept): a beneficiary loaded after the batch run. */
  addBlockingKeys(rows: readonly BlockingKeyRow[]): Promise<void>;
  /**
   * Beneficiaries holding any of the key hashes: an indexed look-up, so the cost follows the query, not the roll.
   * @example await store.beneficiariesByBlockingKeys([hashA, hashB]) // ['B17', 'B90']
   */
  beneficiariesByBlockingKeys(hashes: readonly number[]): Promise<readonly string[]>;
  /**
   * How many beneficiaries hold each key hash, counted up to `atMost` (enough to tell an oversized block of a
   * capped blocking rule without reading it); hashes nobody holds are absent.
   * @example await store.blockingKeyCounts([hashOfWangXiuying], 201) // Map { hash => 201 }: above a cap of 200
   */
  blockingKeyCounts(hashes: readonly number[], atMost: number): Promise<ReadonlyMap<number, number>>;
  /** Replaces every candidate row (bulk: loaded in (block, beneficiary_id) order whatever the order given). */
  replaceCandidateRows(
    batches: AsyncIterable<readonly CandidateRow[]> | Iterable<readonly CandidateRow[]>,
  ): Promise<number>;
  /**
   * Replaces the candidate rows of the beneficiaries among `rows` (all their rows, in whatever blocks they were) and
   * adds `keys` (existing ones kept), in one transaction: a beneficiary loaded (again) after the batch.
   */
  upsertCandidateRows(rows: readonly CandidateRow[], keys?: readonly BlockingKeyRow[]): Promise<void>;
  /**
   * The beneficiaries holding any of the key hashes, each once, with their candidate rows, and the beneficiaries
   * whose rows are stored in the `clustered` blocks (hashes of the clustering rules, also among `hashes`): such a
   * block is one range read, and when it holds as many rows as its key has holders it is taken as complete (rows
   * are written with their keys); any other holder is one indexed read, so the cost follows the query, not the
   * roll.
   * @example await store.blockingCandidates([idHash, nameHash], [nameHash]) // [{ beneficiaryId: 'B17', candidate: '[1,…]' }, …]
   */
  blockingCandidates(
    hashes: readonly number[],
    clustered?: readonly number[],
  ): Promise<readonly BlockingCandidate[]>;

  /** Saves a trained model with the roll's term frequencies (replacing the previous ones); returns its id. */
  saveModel(
    model: Omit<StoredModel, 'modelId'>,
    termFrequencies: Iterable<TermFrequencyRow>,
  ): Promise<string>;
  /** The latest saved model, or undefined before the first batch run. */
  loadModel(): Promise<StoredModel | undefined>;
  /** The id of the latest saved model (a cheap read: callers cache the model by id). */
  latestModelId(): Promise<string | undefined>;
  /** Counts of the given values (value → count; absent when the roll never had it). */
  termFrequencyCounts(slot: number, values: readonly string[]): Promise<ReadonlyMap<string, number>>;

  /** Replaces every stored match (batch run). */
  replaceDeathMatches(matches: readonly DeathMatch[]): Promise<void>;
  /** Inserts or replaces matches by death record (incremental run): never a duplicate. */
  upsertDeathMatches(matches: readonly DeathMatch[]): Promise<void>;
  /** The links of these beneficiaries, with their records' death dates. */
  linksOf(beneficiaryIds: readonly string[]): Promise<readonly StoredLink[]>;
  /** Every stored match, linked or not, in (source, record_id) order. */
  listDeathMatches(): Promise<readonly DeathMatch[]>;
  /**
   * The stored matches of these death records (records never matched are left out): what a re-loaded record
   * linked to before, so that the beneficiary it leaves gets its finding refreshed.
   */
  deathMatchesOf(
    records: readonly { readonly source: DeathSource; readonly recordId: string }[],
  ): Promise<readonly DeathMatch[]>;

  /**
   * The reports of the same deaths: for each given death record, the stored records with the same death date and
   * name, itself included (with `through`, only those reported by then, as `readDeathRecords`). Indexed.
   * @example await store.deathTwins([{ source: 'cremation', recordId: 'HH1' }], '2021-06-30') // [{ …, twin: HJ7 }, …]
   */
  deathTwins(
    records: readonly { readonly source: DeathSource; readonly recordId: string }[],
    through?: CalendarDate,
  ): Promise<
    readonly { readonly source: DeathSource; readonly recordId: string; readonly twin: DeathRecord }[]
  >;

  /** Payments of these beneficiaries (paid on or before `paidThrough` when given). */
  paymentsOf(beneficiaryIds: readonly string[], paidThrough?: CalendarDate): Promise<readonly Payment[]>;

  /** Certifications of these beneficiaries (certified on or before `through` when given): life signs. */
  certificationsOf(
    beneficiaryIds: readonly string[],
    through?: CalendarDate,
  ): Promise<readonly Certification[]>;

  /** Replaces every finding (batch run). */
  replaceFindings(findings: readonly Finding[]): Promise<void>;
  /** Inserts or replaces findings by beneficiary (incremental run). */
  upsertFindings(findings: readonly Finding[]): Promise<void>;
  /** Removes the findings of these beneficiaries (no death record links to them any more). */
  deleteFindings(beneficiaryIds: readonly string[]): Promise<void>;
  /** Every finding, in beneficiary_id order. */
  listFindings(): Promise<readonly Finding[]>;

  /** The latest decision of each of these beneficiaries (reversed or not). */
  latestDecisions(beneficiaryIds: readonly string[]): Promise<ReadonlyMap<string, Decision>>;
  /** Records new decisions, returning them with their ids, in order. */
  recordDecisions(
    decisions: readonly (ProposedDecision &
      Omit<Decision, 'decisionId' | keyof ProposedDecision | 'reversal'>)[],
  ): Promise<readonly Decision[]>;
  /**
   * Reverses a decision with a reason; the history keeps both. A finding resting on it shows the status before.
   * @example await store.reverseDecision('17', { at: Date.now(), by: 'auditor', reason: 'seen alive' })
   */
  reverseDecision(decisionId: string, reversal: Reversal): Promise<Result<Decision>>;
  /** Every decision about a beneficiary, oldest first. */
  decisionHistory(beneficiaryId: string): Promise<readonly Decision[]>;
}

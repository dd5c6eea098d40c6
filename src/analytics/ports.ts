import type { CalendarDate, EpochMs, Period } from '../core/time.js';
import type { EventChannel, EventType } from '../records/enums.js';
import type { AccountChange, Beneficiary, Certification, Handler, StatusChange } from '../records/schemas.js';

/**
 * What insider analytics needs from a store, and what it keeps there. src/store implements it once for SQLite and
 * once for PostgreSQL (src/store/analytics-sql.ts); the one contract suite tests both.
 */

/** One use of a card at a terminal (ATM, POS, counter), as the co-use detector reads it: slim, in order. */
export interface TerminalUse {
  readonly terminalId: string;
  readonly ts: EpochMs;
  readonly eventId: string;
  readonly card: string;
  readonly type: EventType;
  /** Fen, for approved withdrawals; 0 otherwise. */
  readonly withdrawnFen: number;
}

/** The evidence that a beneficiary has died, as analytics uses it. */
export interface DeathEvidence {
  readonly deathDate: CalendarDate;
  /** `matching`: a death-matching finding (decision not reversed); `exact_id`: a death record with the same ID. */
  readonly basis: 'matching' | 'exact_id';
  /** `source:record_id` (matching: its evidence; exact_id: the records). */
  readonly evidence: readonly string[];
  /** Strong: a confirmed matching decision, or ≥ 2 sources / the household register for an exact-ID match. */
  readonly strong: boolean;
}

/** Everything about one beneficiary that analytics reads, gathered by the store in one batched pass. */
export interface BeneficiaryHistory {
  readonly beneficiary: Beneficiary;
  readonly certifications: readonly Certification[];
  readonly statusChanges: readonly StatusChange[];
  readonly accountChanges: readonly AccountChange[];
  readonly death: DeathEvidence | undefined;
  /** The latest period paid (on or before the as-of date), if any payment. */
  readonly lastPaidPeriod: Period | undefined;
}

export interface HistoryQuery {
  /** Only records dated on or before this day (certifications, changes, payments, death reports). */
  readonly asOf?: CalendarDate;
  readonly batchSize?: number;
}

export interface TerminalUseQuery {
  /** Only events before the end of this day (Asia/Shanghai). */
  readonly asOf?: CalendarDate;
  /**
   * Channels read (default `atm` and `pos`, the self-service terminals): at a bank counter a teller serves a queue
   * of people who each show themselves, so cards there "minutes apart" are a queue, not a collector.
   */
  readonly channels?: readonly EventChannel[];
  readonly batchSize?: number;
}

/** A handler's place in the risk ranking (handlers.csv, DATA_FORMATS.md). */
export interface HandlerRisk {
  readonly handlerId: string;
  /** 1 = highest risk. */
  readonly rank: number;
  readonly role: string | undefined;
  readonly regionCode: string | undefined;
  /** −log10 of the p-value (capped at 300): comparable across handlers of any size. */
  readonly riskScore: number;
  /** Distinct beneficiaries the handler manages on the roll or acted on. */
  readonly beneficiaries: number;
  /** Acts that vouched for a beneficiary already believed dead (one per beneficiary and kind of act). */
  readonly deceasedLinked: number;
  /** What peers of the same role and region would have at this handler's volume. */
  readonly expectedDeceased: number;
  /** One-sided Poisson p-value of deceasedLinked against expectedDeceased. */
  readonly pValue: number;
  /** Benjamini–Hochberg adjusted p-value over every handler tested. */
  readonly qValue: number;
  /** q ≤ the false-discovery rate of the run. */
  readonly significant: boolean;
  /** In words, most telling first. */
  readonly reasons: readonly string[];
  /** Per kind of act: acts (distinct beneficiaries), post-death, expected. */
  readonly acts: readonly HandlerActStats[];
}

export const HANDLER_ACTS = [
  'certified',
  'reactivated',
  'approved_reactivation',
  'changed_card',
  'manages_paid_dead',
] as const;
export type HandlerAct = (typeof HANDLER_ACTS)[number];

export interface HandlerActStats {
  readonly act: HandlerAct;
  /** Distinct beneficiaries the handler did this to. */
  readonly beneficiaries: number;
  /** Of which the act vouched for the dead: it came after the death. */
  readonly deceased: number;
  readonly expected: number;
  /** The peer rate used (per beneficiary). */
  readonly peerRate: number;
}

export const ANOMALY_KINDS = [
  'certification_after_death',
  'handler_vouches_for_dead',
  'device_vouches_for_dead',
  'old_vouched_without_sign_of_life',
  'reactivation_of_dead',
  'reactivation_without_second_approver',
  'unusual_reactivator',
  'card_changed_near_death',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type Severity = 'high' | 'medium' | 'low';

/** One anomaly: a lead about a beneficiary, a handler or a device, with its explanation and evidence. */
export interface Anomaly {
  /** Deterministic: the same facts give the same id on every run. */
  readonly anomalyId: string;
  readonly kind: AnomalyKind;
  readonly severity: Severity;
  readonly subjectType: 'beneficiary' | 'handler' | 'device';
  readonly subjectId: string;
  readonly beneficiaryIds: readonly string[];
  readonly handlerId: string | undefined;
  readonly deviceId: string | undefined;
  /** The day the anomalous act happened (the latest, for aggregates). */
  readonly occurredOn: CalendarDate | undefined;
  /** Human-readable; identity and card numbers never appear in it. */
  readonly explanation: string;
  /** Record ids (certification_id, `status:beneficiary:date`, …). */
  readonly evidence: readonly string[];
}

export interface RingMember {
  readonly card: string;
  /** Beneficiaries whose card it is (current or former); empty for a card on no roll. */
  readonly beneficiaryIds: readonly string[];
  /** Co-use sweeps the card was seen in. */
  readonly sweeps: number;
  /** `core`: in ≥ 2 sweeps; `attached`: in one sweep made of the ring's core cards. */
  readonly membership: 'core' | 'attached';
}

/** A handler linked to a ring's beneficiaries. */
export interface RingHandlerLink {
  readonly handlerId: string;
  readonly role: string | undefined;
  /** Ring beneficiaries the handler vouched for after their death (certified, reactivated, approved). */
  readonly vouchedAfterDeath: number;
  /** Ring beneficiaries the handler manages on the roll. */
  readonly manages: number;
}

/** A group of cards used together again and again at the same terminals, minutes apart. */
export interface RingFinding {
  readonly ringId: string;
  readonly members: readonly RingMember[];
  readonly sweeps: number;
  readonly terminals: readonly string[];
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
  /** Sweeps started between 21:00 and 05:00. */
  readonly nightSweeps: number;
  readonly withdrawnFen: number;
  /** Card holders with a recorded death (death matching or death records; the ring itself is not counted). */
  readonly deceasedBeneficiaries: number;
  readonly handlers: readonly RingHandlerLink[];
  /** Phones or addresses shared by several of the ring's beneficiaries (how many such). */
  readonly sharedContacts: number;
  readonly score: number;
  readonly explanation: string;
}

export interface AnalyticsResult {
  readonly analyzedAt: EpochMs;
  readonly asOf: CalendarDate | undefined;
  readonly handlers: readonly HandlerRisk[];
  readonly rings: readonly RingFinding[];
  readonly anomalies: readonly Anomaly[];
}

export interface AnalyticsCounts {
  readonly handlersRanked: number;
  readonly handlersSignificant: number;
  readonly rings: number;
  readonly anomalies: number;
}

export interface AnalyticsStore {
  /** Every handler (a few thousand at most). */
  readHandlers(): Promise<readonly Handler[]>;
  /**
   * Card use at terminals in batches, ordered by terminal, then time, then event id.
   * @example for await (const batch of store.readTerminalUse({ batchSize: 50_000 })) detector.add(batch);
   */
  readTerminalUse(query?: TerminalUseQuery): AsyncIterable<readonly TerminalUse[]>;
  /**
   * Beneficiaries with their certifications, status and account changes, death evidence and last paid period, in
   * batches in beneficiary_id order. Death evidence comes from death matching's findings when it has run, else from
   * death records with exactly the same ID number.
   */
  readHistories(query?: HistoryQuery): AsyncIterable<readonly BeneficiaryHistory[]>;
  /** Where death evidence comes from in this store now. */
  deathEvidenceBasis(): Promise<'matching' | 'exact_id'>;
  /** Replaces the stored ranking, rings and anomalies with a run's (one transaction). */
  replaceAnalytics(result: AnalyticsResult): Promise<void>;
  /** The stored ranking, in rank order. */
  listHandlerRisk(): Promise<readonly HandlerRisk[]>;
  /** The stored rings, highest score first. */
  listRings(): Promise<readonly RingFinding[]>;
  /** The stored anomalies (optionally of one kind), in id order. */
  listAnomalies(filter?: { readonly kind?: AnomalyKind }): Promise<readonly Anomaly[]>;
  analyticsCounts(): Promise<AnalyticsCounts>;
}

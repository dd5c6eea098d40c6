import type { EpochMs } from '../core/time.js';
import type { BenefitStatus } from '../records/enums.js';
import type { CardEvent } from '../records/schemas.js';
import type { Alert, AlertStatus } from './alert.js';
import type { MonitorCheckpoint } from './checkpoint.js';

/**
 * The ports the monitor needs. The store implements them (SQLite, PostgreSQL); `./testing/` has in-memory
 * versions for tests and back-tests.
 */

/**
 * Where alerts go. Alerts are upserted by their deterministic `alertId`: writing the same alert twice (a replay,
 * a restart from a checkpoint) leaves one row holding the latest version.
 * @example
 * await sink.upsert([alert]); // insert, or replace the row with the same alertId
 */
export interface AlertSink {
  upsert(alerts: readonly Alert[]): Promise<void>;
}

/**
 * Saves and loads the engine's state (plain JSON data), under a name (one per monitor: `replay:FILE`,
 * `nats:STREAM:CONSUMER`).
 * @example
 * await checkpoints.save('nats:GHOSTWATCH_CARD_EVENTS:monitor', monitor.snapshot());
 * const restored = await checkpoints.load('nats:GHOSTWATCH_CARD_EVENTS:monitor'); // undefined the first time
 */
export interface CheckpointStore {
  load(name: string): Promise<MonitorCheckpoint | undefined>;
  /**
   * Must serialize (or copy) `checkpoint` before its first `await`: the monitor hands it the engine's live
   * state, not a copy, and goes on once `save` has been called.
   */
  save(name: string, checkpoint: MonitorCheckpoint): Promise<void>;
}

/**
 * What the roll, the payment ledger and death matching say about a card. Lookups are synchronous because they
 * sit in the per-event hot path: an adapter loads the county's cards into memory (or a cache) before the stream
 * starts, and refreshes between batches.
 * @example
 * const ref = reference.card('6217001234567890123');
 * // { beneficiaries: [{ beneficiaryId: 'B17', regionCode: '430422', believedDeadSince: 1546272000000, … }],
 * //   paymentTimes: [1612108800000, …] }
 */
export interface ReferenceData {
  /** Everything known about a card, or undefined for a card the roll does not know. */
  card(card: string): CardReference | undefined;
}

export interface CardReference {
  /** Beneficiaries whose pension is (or was) paid to this card: one for most cards, two or more is a finding. */
  readonly beneficiaries: readonly CardBeneficiary[];
  /** When pension credits landed on this card (payments.csv `paid_at`, start of the day), ascending. */
  readonly paymentTimes: readonly EpochMs[];
  /**
   * True when no beneficiary of the card is believed dead or has a status change (most cards): the deceased
   * detector then skips the card without walking its beneficiaries. Absent = not known, look.
   */
  readonly allAliveAndActive?: boolean;
}

export interface CardBeneficiary {
  readonly beneficiaryId: string;
  /** 6-digit region code of the holder (beneficiaries.csv `region_code`). */
  readonly regionCode?: string | undefined;
  /**
   * Best estimate of the death, from death matching (start of the death day), when the beneficiary is believed
   * dead; `deathEvidence` says how strongly (`confirmed`: two sources or an authoritative exact ID match).
   */
  readonly believedDeadSince?: EpochMs | undefined;
  readonly deathEvidence?: 'confirmed' | 'review' | undefined;
  /** Status changes of the benefit (status_changes.csv), ascending; the status before the first is `active`. */
  readonly statusChanges?: readonly StatusAt[] | undefined;
  /** Changes of the card the benefit is paid to (account_changes.csv) that involve this card, ascending. */
  readonly accountChanges?: readonly AccountChangeAt[] | undefined;
}

export interface StatusAt {
  readonly at: EpochMs;
  readonly status: BenefitStatus;
}

export interface AccountChangeAt {
  readonly at: EpochMs;
  readonly oldCard?: string | undefined;
  readonly newCard: string;
  readonly handlerId?: string | undefined;
}

/** Which stored alerts to list. */
export interface AlertQuery {
  readonly status?: AlertStatus;
  readonly rule?: string;
}

/**
 * The stored alerts: the sink, and reading them back (export, evaluation, the API).
 * @example for (const alert of await store.listAlerts({ status: 'open' })) print(toAlertLine(alert));
 */
export interface AlertStore extends AlertSink {
  /** Alerts in (first_ts, alert_id) order. */
  listAlerts(query?: AlertQuery): Promise<readonly Alert[]>;
}

export interface CardEventQuery {
  /** Only events at or after this instant. */
  readonly from?: EpochMs;
  /** Only events before this instant. */
  readonly to?: EpochMs;
  readonly batchSize?: number;
}

/**
 * Stored card events, read back in (ts, event_id) order, in batches: what `backtest` runs over.
 * @example for await (const batch of store.readCardEvents({ from, to })) for (const e of batch) engine.push(e);
 */
export interface CardEventHistory {
  readCardEvents(query?: CardEventQuery): AsyncIterable<readonly CardEvent[]>;
  /** The card of each of these stored events (unknown ids are left out). */
  cardsOfEvents(eventIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** ReferenceData built in memory, with its size. */
export interface LoadedReferenceData extends ReferenceData {
  readonly cards: number;
  readonly beneficiaries: number;
}

/**
 * Loads the reference data from the roll, the account and status changes, the payments and (when death
 * matching has run) its findings, into memory, once, before a stream starts.
 * @example const reference = await store.loadReferenceData(); reference.card(pan)
 */
export interface ReferenceSource {
  loadReferenceData(): Promise<LoadedReferenceData>;
}

/** Everything the monitor's edges need from a store. */
export interface MonitorStore extends AlertStore, CheckpointStore, CardEventHistory, ReferenceSource {}

/** The benefit's status at an instant, from its status changes. */
export function statusAt(beneficiary: CardBeneficiary, at: EpochMs): BenefitStatus {
  let status: BenefitStatus = 'active';
  const changes = beneficiary.statusChanges;
  if (changes === undefined) return status;
  for (const change of changes) {
    if (change.at > at) break;
    status = change.status;
  }
  return status;
}

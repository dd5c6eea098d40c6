import type { EpochMs } from '../core/time.js';
import type { CardEvent } from '../records/schemas.js';
import type { EntityType } from './alert.js';
import type { ReferenceData } from './ports.js';
import type { CardColumn, CardTable } from './reference-index.js';

/**
 * What a detector found on one event: which entities it concerns (a typology picks the one it alerts on), how
 * strongly (0..1), why (human text, card numbers masked) and the evidence (event ids, record ids).
 */
export interface DetectorResult {
  readonly detectorId: string;
  readonly ts: EpochMs;
  readonly entities: Readonly<Partial<Record<EntityType, string>>>;
  readonly strength: number;
  readonly reason: string;
  readonly evidence: readonly string[];
  readonly beneficiaryIds: readonly string[];
}

export type Emit = (result: DetectorResult) => void;

/** What every detector is given at creation. */
export interface DetectorEnvironment {
  readonly reference: ReferenceData;
  /**
   * The reference's card table when it has one (`createReferenceIndex`): per-card facts in arrays indexed by the
   * card's number. Absent: look cards up through `reference` (the results are the same either way).
   */
  readonly cards: CardTable | undefined;
  /**
   * The number in `cards` of the card of the event being processed (-1: a card the roll does not know). Set by
   * the engine before each event; read only inside `onEvent`, and only when `cards` is defined.
   */
  readonly cardIndex: number;
  /**
   * Reserves a per-card number (NaN until set), indexed by card number, stored beside the card's facts where it
   * can be (one cache miss per event for both); undefined without a card table. Call at creation.
   */
  cardColumn(): CardColumn | undefined;
}

/**
 * A detector: sees every event in (ts, event_id) order, keeps its own state keyed by terminal or card, emits
 * results. `expire` is called as the watermark advances so that state never outlives its window.
 */
export interface Detector {
  readonly id: string;
  /**
   * `event` is the engine's record, set again for the next event: a detector keeps copies of its fields (the
   * strings themselves are never changed), never the object.
   */
  onEvent(event: CardEvent, emit: Emit): void;
  expire(watermark: EpochMs): void;
  /** JSON-serialisable state for checkpoints. */
  snapshot(): unknown;
  restore(state: unknown): void;
  /** Number of keys held (for memory statistics). */
  stateSize(): number;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Union of beneficiary ids of some cards, in first-seen order. */
export function beneficiariesOf(reference: ReferenceData, cards: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const card of cards) {
    for (const b of reference.card(card)?.beneficiaries ?? []) out.add(b.beneficiaryId);
  }
  return [...out];
}

/** The hour of day (0-23) of an instant in Asia/Shanghai. */
export function shanghaiHour(ts: EpochMs): number {
  return Math.floor((ts + 8 * HOUR) / HOUR) % 24;
}

/** True when the hour is inside [from, to), wrapping over midnight when from > to (e.g. 22 → 6). */
export function isInHours(hour: number, from: number, to: number): boolean {
  return from <= to ? hour >= from && hour < to : hour >= from || hour < to;
}

/** `YYYY-MM` of an instant in Asia/Shanghai, as a month index (year * 12 + month - 1). */
export function shanghaiMonthIndex(ts: EpochMs): number {
  const d = new Date(ts + 8 * HOUR);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export function monthLabel(index: number): string {
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return `${y}-${m < 10 ? '0' : ''}${m}`;
}

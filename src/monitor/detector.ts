import type { EpochMs } from '../core/time.js';
import type { CardEvent } from '../records/schemas.js';
import type { EntityType } from './alert.js';
import type { ReferenceData } from './ports.js';

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
}

/**
 * A detector: sees every event in (ts, event_id) order, keeps its own state keyed by terminal or card, emits
 * results. `expire` is called as the watermark advances so that state never outlives its window.
 */
export interface Detector {
  readonly id: string;
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

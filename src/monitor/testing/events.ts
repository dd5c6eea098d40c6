import type { CardEvent } from '../../records/schemas.js';
import { cardNumber } from './generate-events.js';

/** Epoch ms of a Shanghai wall-clock time, `2021-02-01T23:30` or with seconds. */
export function at(local: string): number {
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  return Date.parse(`${withSeconds}+08:00`);
}

let counter = 0;

/** A card event for tests, with defaults (an approved ATM withdrawal of ¥200 at ATM-430422-0007). */
export function cardEvent(overrides: Partial<CardEvent> & { ts: number }): CardEvent {
  counter++;
  return {
    eventId: `T${counter}`,
    card: cardNumber(1),
    terminalId: 'ATM-430422-0007',
    terminalRegion: '430422',
    channel: 'atm',
    type: 'withdrawal',
    amountFen: 20_000,
    result: 'approved',
    sessionId: undefined,
    ...overrides,
  } as CardEvent;
}

/** `n` withdrawals of different cards at one terminal, `gapMs` apart, from `start`. */
export function sweep(options: {
  start: number;
  cards: number;
  gapMs: number;
  terminalId?: string;
  firstCard?: number;
  idPrefix?: string;
}): CardEvent[] {
  const out: CardEvent[] = [];
  for (let i = 0; i < options.cards; i++) {
    out.push(
      cardEvent({
        eventId: `${options.idPrefix ?? 'S'}${options.start}-${i}`,
        ts: options.start + i * options.gapMs,
        card: cardNumber((options.firstCard ?? 100) + i),
        terminalId: options.terminalId ?? 'ATM-430422-0007',
      }),
    );
  }
  return out;
}

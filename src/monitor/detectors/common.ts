import { z } from 'zod';
import { EVENT_CHANNELS, EVENT_TYPES } from '../../records/enums.js';
import type { CardEvent } from '../../records/schemas.js';
import type { DetectorEnvironment } from '../detector.js';
import type { CardReference } from '../ports.js';

/** Which events a detector looks at: types, channels, and whether declined attempts count. */
export const eventFilterParams = {
  eventTypes: z.array(z.enum(EVENT_TYPES)).min(1),
  channels: z.array(z.enum(EVENT_CHANNELS)).min(1),
  includeDeclined: z.boolean(),
};

export interface EventFilter {
  readonly eventTypes: readonly string[];
  readonly channels: readonly string[];
  readonly includeDeclined: boolean;
}

/**
 * A predicate compiled once (Sets, no per-event allocation). It remembers its last answer: most events are of the
 * type, channel and result of the one before (ATM withdrawals), and three comparisons cost less than two Set
 * look-ups, in each of the seven detectors.
 */
export function compileFilter(filter: EventFilter): (event: CardEvent) => boolean {
  const types = new Set<string>(filter.eventTypes);
  const channels = new Set<string>(filter.channels);
  const declined = filter.includeDeclined;
  let lastType = '';
  let lastChannel = '';
  let lastResult = '';
  let lastAnswer = false;
  return (e) => {
    if (e.type === lastType && e.channel === lastChannel && e.result === lastResult) return lastAnswer;
    lastType = e.type;
    lastChannel = e.channel;
    lastResult = e.result;
    lastAnswer = types.has(e.type) && channels.has(e.channel) && (declined || e.result === 'approved');
    return lastAnswer;
  };
}

/**
 * The reference of the card of the event being processed: by its number in the card table when the reference has
 * one (no map look-up), else looked up by the card.
 */
export function currentReference(env: DetectorEnvironment, card: string): CardReference | undefined {
  const cards = env.cards;
  if (cards === undefined) return env.reference.card(card);
  const i = env.cardIndex;
  return i < 0 ? undefined : cards.references[i];
}

/**
 * False when the card table says the event's card cannot concern the dead or a status change (unknown to the
 * roll, or all its holders alive and active): the one-byte test that spares most events a look at the reference.
 */
export function mayConcernTheDead(env: DetectorEnvironment): boolean {
  const cards = env.cards;
  if (cards === undefined) return true;
  const i = env.cardIndex;
  return i >= 0 && !cards.allAliveAndActive(i);
}

/** The entities a card event's result names: its card, and its terminal when it has one. */
export function cardAndTerminal(event: CardEvent): { card: string; terminal?: string } {
  return event.terminalId !== undefined
    ? { card: event.card, terminal: event.terminalId }
    : { card: event.card };
}

export const MONEY_OUT = ['withdrawal', 'transfer_out'] as const;
export const CARD_USE = ['withdrawal', 'transfer_out', 'balance_inquiry', 'pin_failure'] as const;
export const ALL_CHANNELS = ['atm', 'counter', 'pos', 'online'] as const;

/** HH:MM in Asia/Shanghai. */
export function clockTime(ts: number): string {
  return new Date(ts + 8 * 3_600_000).toISOString().slice(11, 16);
}

/** YYYY-MM-DD HH:MM in Asia/Shanghai. */
export function dateTime(ts: number): string {
  const iso = new Date(ts + 8 * 3_600_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

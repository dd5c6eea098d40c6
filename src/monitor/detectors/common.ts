import { z } from 'zod';
import { EVENT_CHANNELS, EVENT_TYPES } from '../../records/enums.js';
import type { CardEvent } from '../../records/schemas.js';

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

/** A predicate compiled once (Sets, no per-event allocation). */
export function compileFilter(filter: EventFilter): (event: CardEvent) => boolean {
  const types = new Set<string>(filter.eventTypes);
  const channels = new Set<string>(filter.channels);
  const declined = filter.includeDeclined;
  return (e) => types.has(e.type) && channels.has(e.channel) && (declined || e.result === 'approved');
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

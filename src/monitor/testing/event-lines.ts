import type { CardEvent } from '../../records/schemas.js';

/** A card event as the JSON line a source receives (card_events.jsonl, a NATS message). */
export function toEventLine(e: CardEvent): string {
  const ts = new Date(e.ts + 8 * 3_600_000).toISOString().slice(0, 19);
  return JSON.stringify({
    event_id: e.eventId,
    ts: `${ts}+08:00`,
    card: e.card,
    terminal_id: e.terminalId,
    terminal_region: e.terminalRegion,
    channel: e.channel,
    type: e.type,
    amount: e.amountFen === undefined ? undefined : (e.amountFen / 100).toFixed(2),
    result: e.result,
    session_id: e.sessionId,
  });
}

/** A valid card_events.jsonl line's fields, every one of them given: the base the line-parser tests vary. */
export const SAMPLE_EVENT_FIELDS = {
  event_id: 'E1',
  ts: '2021-02-01T23:41:07+08:00',
  card: '6217001234567890123',
  terminal_id: 'ATM-430422-0007',
  terminal_region: '430422',
  channel: 'atm',
  type: 'withdrawal',
  amount: '2000.00',
  result: 'approved',
  session_id: 'S9',
} as const;

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

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type CardNumber, luhnCheckDigit } from '../../core/card-number.js';
import { formatShanghaiTimestamp } from '../../core/time.js';
import { DAY, HOUR, MINUTE } from '../detector.js';

/** A card number that passes the Luhn check, from an index. */
export function cardNumber(index: number): CardNumber {
  const payload = `621700${String(index).padStart(12, '0')}`;
  return (payload + luhnCheckDigit(payload)) as CardNumber;
}

/** Honest cards in the generated traffic (`cardNumber(0 … TRAFFIC_CARDS - 1)`); collectors use the next 30. */
export const TRAFFIC_CARDS = 200_000;

export interface GeneratedEvent {
  readonly event_id: string;
  readonly ts: string;
  readonly card: string;
  readonly terminal_id: string;
  readonly terminal_region: string;
  readonly channel: 'atm';
  readonly type: 'withdrawal' | 'balance_inquiry';
  readonly amount?: string;
  readonly result: 'approved';
}

/**
 * Deterministic synthetic traffic for benchmarks: honest pensioners (one or two withdrawals a month at their
 * township ATM, couples together) and, every month, a collector sweeping 30 cards at one ATM at night.
 * Events come in time order with a little jitter inside the allowed lateness.
 */
export function* generateTraffic(total: number, seed = 1): Generator<GeneratedEvent> {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const cards = TRAFFIC_CARDS;
  const terminals = 400;
  const start = Date.UTC(2020, 0, 1) - 8 * HOUR;
  const perDay = 8_000;
  let n = 0;
  for (let day = 0; n < total; day++) {
    const dayStart = start + day * DAY;
    const times: number[] = [];
    for (let i = 0; i < perDay && n + times.length < total; i++) {
      times.push(dayStart + 7 * HOUR + Math.floor(random() * 13 * HOUR));
    }
    times.sort((a, b) => a - b);
    for (const t of times) {
      const card = Math.floor(random() * cards);
      const terminal = card % terminals;
      const jitter = Math.floor(random() * 2 * MINUTE);
      yield {
        event_id: `E${n}`,
        ts: formatShanghaiTimestamp(t + jitter),
        card: cardNumber(card),
        terminal_id: `ATM-430422-${String(terminal).padStart(4, '0')}`,
        terminal_region: '430422',
        channel: 'atm',
        type: 'withdrawal',
        amount: `${100 + (card % 300)}.00`,
        result: 'approved',
      };
      n++;
      if (n >= total) return;
    }
    if (day % 30 === 15) {
      for (let k = 0; k < 30 && n < total; k++) {
        yield {
          event_id: `E${n}`,
          ts: formatShanghaiTimestamp(dayStart + 23 * HOUR + k * 90_000),
          card: cardNumber(cards + k),
          terminal_id: 'ATM-430422-9999',
          terminal_region: '430422',
          channel: 'atm',
          type: 'withdrawal',
          amount: '2000.00',
          result: 'approved',
        };
        n++;
      }
    }
  }
}

/** Writes `total` generated events as card_events.jsonl. */
export async function writeTrafficFile(path: string, total: number, seed = 1): Promise<void> {
  const out = createWriteStream(path);
  let buffer = '';
  for (const event of generateTraffic(total, seed)) {
    buffer += `${JSON.stringify(event)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}

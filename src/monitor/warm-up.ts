import { luhnCheckDigit } from '../core/card-number.js';
import type { EpochMs } from '../core/time.js';
import { formatShanghaiTimestamp } from '../core/time.js';
import { HOUR } from './detector.js';
import { createEngine } from './engine.js';
import { parseCardEventLine } from './event-line.js';
import type { ReferenceData } from './ports.js';
import { createReferenceIndex } from './reference-index.js';
import type { Rules } from './rules.js';

const START = Date.UTC(2020, 0, 1) as EpochMs;
const CARDS = 64;

const warmCard = (index: number): string => {
  const payload = `621700${String(900_000_000_000 + index).padStart(12, '0')}`;
  return payload + luhnCheckDigit(payload);
};

/**
 * The reference data of the made-up events: 64 cards, one of them a dead holder's, one in eight outside the roll.
 * @example createMonitor({ rules, sink, reference: warmUpReference() })
 */
export function warmUpReference(): ReferenceData {
  const index = createReferenceIndex();
  for (let i = 0; i < CARDS; i++) {
    index.addBeneficiary({
      beneficiaryId: `WARM${i}`,
      regionCode: i % 8 === 0 ? '110105' : '430422',
      card: warmCard(i),
    });
    index.addPayment({ beneficiaryId: `WARM${i}`, at: (START - 24 * HOUR) as EpochMs });
  }
  index.addDeath({
    beneficiaryId: 'WARM1',
    since: (START - 90 * 24 * HOUR) as EpochMs,
    evidence: 'confirmed',
  });
  return index.build();
}

/** A made-up card-event line (`n` from 0): 20 s of event time apart, sessions of many cards at three ATMs. */
export function warmUpLine(n: number): string {
  const at = (START + n * 20_000 + (n % 2) * 7) as EpochMs;
  const text = formatShanghaiTimestamp(at);
  return JSON.stringify({
    event_id: `WARM-${n}`,
    // Every other event to the millisecond (`…T08:00:20.007+08:00`).
    ts: n % 2 === 0 ? text : `${text.slice(0, 19)}.007${text.slice(19)}`,
    // One event in eight on a card the reference data does not know.
    card: warmCard(n % 8 === 4 ? CARDS + (n % 16) : (n * 7) % CARDS),
    // Half the events at three busy ATMs (sessions of many cards), half spread over 2,000 terminals (so that the
    // code making a terminal's state runs often, as on a real feed's first seconds).
    terminal_id: `ATM-430422-${String(n % 2 === 0 ? n % 3 : 3 + (n % 2000)).padStart(4, '0')}`,
    terminal_region: '430422',
    channel: 'atm',
    type: n % 5 === 0 ? 'balance_inquiry' : 'withdrawal',
    ...(n % 5 === 0 ? {} : { amount: `${100 + (n % 300)}.00` }),
    ...(n % 4 === 3 ? {} : { result: 'approved' }),
  });
}

/**
 * Runs made-up card events (`warmUpLine`) through the line parser and throwaway engines with the same rules, so
 * that a consumer's first real messages meet compiled code: cold, the first ~6,500 events of a 20k/s stream took
 * ~90 µs each and queued up for about a second. Touches no state, store or alert of the real monitor.
 *
 * Every event goes through two engines in turn, never one: the engine's detectors are closures, one set per
 * engine, and code compiled while a single engine ran is specialised to that engine's closures (V8 inlines the
 * call target) and thrown away ("wrong call target") on the real engine's first events, which then ran cold
 * again. Seeing two sets of closures from the same source, V8 compiles for any closure of that source, the real
 * engine's included. The second engine's reference data has no card table (a plain `ReferenceData`), so that
 * both ways the engine looks cards up are compiled; the lines mix second and millisecond timestamps, with and
 * without `result`, and one card in eight is unknown to the reference data.
 * @example warmUp(monitor.rules); // then start consuming
 */
export function warmUp(
  rules: Rules,
  events = 20_000,
): { readonly accepted: number; readonly alerts: number } {
  const reference = warmUpReference();
  const engines = [
    createEngine({ rules, reference }),
    createEngine({ rules, reference: { card: (card) => reference.card(card) } }),
  ];
  let accepted = 0;
  for (let n = 0; n < events; n++) {
    const line = warmUpLine(n);
    // Each engine gets its own parse of the line, as each consumer does.
    for (const engine of engines) {
      const parsed = parseCardEventLine(line);
      if (parsed.ok && engine.push(parsed.value) === 'accepted' && engine === engines[0]) accepted++;
    }
  }
  let alerts = 0;
  for (const engine of engines) {
    engine.drain();
    alerts = engine.takeChanges().length;
  }
  return { accepted, alerts };
}

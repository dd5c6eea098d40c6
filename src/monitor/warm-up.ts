import { luhnCheckDigit } from '../core/card-number.js';
import type { EpochMs } from '../core/time.js';
import { formatShanghaiTimestamp } from '../core/time.js';
import { HOUR } from './detector.js';
import { createEngine } from './engine.js';
import { parseCardEventLine } from './event-line.js';
import { createReferenceIndex } from './reference-index.js';
import type { Rules } from './rules.js';

const START = Date.UTC(2020, 0, 1) as EpochMs;
const CARDS = 64;

const warmCard = (index: number): string => {
  const payload = `621700${String(900_000_000_000 + index).padStart(12, '0')}`;
  return payload + luhnCheckDigit(payload);
};

/**
 * Runs made-up card events (a few cards, one of a dead holder, sessions of many cards at two ATMs) through the line
 * parser and a throwaway engine with the same rules, so that a consumer's first real messages meet compiled code:
 * cold, the first ~6,500 events of a 20k/s stream took ~90 µs each and queued up for about a second. Touches no
 * state, store or alert of the real monitor.
 * @example warmUp(monitor.rules); // then start consuming
 */
export function warmUp(
  rules: Rules,
  events = 20_000,
): { readonly accepted: number; readonly alerts: number } {
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
  const engine = createEngine({ rules, reference: index.build() });
  let accepted = 0;
  for (let n = 0; n < events; n++) {
    const line = JSON.stringify({
      event_id: `WARM-${n}`,
      ts: formatShanghaiTimestamp((START + n * 20_000) as EpochMs),
      card: warmCard((n * 7) % CARDS),
      terminal_id: `ATM-430422-${String(n % 3).padStart(4, '0')}`,
      terminal_region: '430422',
      channel: 'atm',
      type: n % 5 === 0 ? 'balance_inquiry' : 'withdrawal',
      ...(n % 5 === 0 ? {} : { amount: `${100 + (n % 300)}.00` }),
      result: 'approved',
    });
    const parsed = parseCardEventLine(line);
    if (parsed.ok && engine.push(parsed.value) === 'accepted') accepted++;
  }
  engine.drain();
  return { accepted, alerts: engine.takeChanges().length };
}

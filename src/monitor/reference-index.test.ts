import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCardEventLine } from './event-line.js';
import type { ReferenceData } from './ports.js';
import { createReferenceIndex } from './reference-index.js';
import { at, cardEvent } from './testing/events.js';
import { cardNumber } from './testing/generate-events.js';
import { runEvents } from './testing/run.js';

describe('reference index', () => {
  const plain = cardNumber(11);
  const dead = cardNumber(12);
  const suspended = cardNumber(13);
  const index = createReferenceIndex();
  index.addBeneficiary({ beneficiaryId: 'B11', regionCode: '430422', card: plain });
  index.addBeneficiary({ beneficiaryId: 'B12', regionCode: '430422', card: dead });
  index.addBeneficiary({ beneficiaryId: 'B13', regionCode: '430422', card: suspended });
  index.addDeath({ beneficiaryId: 'B12', since: at('2020-06-10T00:00'), evidence: 'confirmed' });
  index.addStatusChange({ beneficiaryId: 'B13', at: at('2021-01-05T00:00'), status: 'suspended' });
  const reference = index.build();

  it('marks only the cards whose holders are all alive and never had a status change', () => {
    expect(reference.card(plain)?.allAliveAndActive).toBe(true);
    expect(reference.card(dead)?.allAliveAndActive).toBe(false);
    expect(reference.card(suspended)?.allAliveAndActive).toBe(false);
  });

  it('still alerts on activity on a dead holder’s card, and never on the living holder’s', () => {
    const after = cardEvent({ ts: at('2021-02-01T10:00'), card: dead });
    const living = cardEvent({ ts: at('2021-02-01T11:00'), card: plain });
    const { alerts } = runEvents([after, living], { reference });
    expect(alerts.filter((a) => a.rule === 'ghost-card-activity')).toMatchObject([
      { entityId: dead, beneficiaryIds: ['B12'], evidence: [after.eventId] },
    ]);
    expect(alerts.some((a) => a.entityId === plain)).toBe(false);
  });

  it('hands a parsed event the very card string the reference is keyed by', () => {
    const parsed = parseCardEventLine(
      `{"event_id":"E1","ts":"2021-02-01T10:00:00+08:00","card":"${dead}","terminal_id":"ATM-1","channel":"atm","type":"withdrawal","amount":"100.00"}`,
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.card).toBe(dead);
    expect(reference.card(parsed.value.card)?.beneficiaries[0]?.beneficiaryId).toBe('B12');
  });

  it('its precomputed facts change no alert: the same alerts as the bare references', () => {
    const regions = ['430422', '430481', '431121', '110105', undefined];
    const cards = [0, 1, 2, 3, 4, 5].map((i) => cardNumber(500 + i));
    fc.assert(
      fc.property(
        // Beneficiaries: a card each (several may share one), a region (maybe none), maybe dead.
        fc.array(
          fc.record({
            card: fc.integer({ min: 0, max: 5 }),
            region: fc.integer({ min: 0, max: 4 }),
            dead: fc.boolean(),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 40 * 86_400_000 }),
            card: fc.integer({ min: 0, max: 5 }),
            region: fc.integer({ min: 0, max: 4 }),
            type: fc.constantFrom('withdrawal', 'balance_inquiry', 'transfer_out'),
          }),
          { maxLength: 40 },
        ),
        (holders, steps) => {
          const index = createReferenceIndex();
          holders.forEach((h, i) => {
            index.addBeneficiary({
              beneficiaryId: `B${i}`,
              regionCode: regions[h.region],
              card: cards[h.card],
            });
            index.addPayment({ beneficiaryId: `B${i}`, at: at('2020-01-10T00:00') });
            if (h.dead)
              index.addDeath({ beneficiaryId: `B${i}`, since: at('2019-12-01T00:00'), evidence: 'review' });
          });
          const indexed = index.build();
          // The same references without the index's extra facts, as another ReferenceData would give them.
          const bare: ReferenceData = {
            card(card) {
              const ref = indexed.card(card);
              if (ref === undefined) return undefined;
              const { beneficiaries, paymentTimes, allAliveAndActive } = ref;
              return allAliveAndActive === undefined
                ? { beneficiaries, paymentTimes }
                : { beneficiaries, paymentTimes, allAliveAndActive };
            },
          };
          let ts = at('2020-01-01T08:00');
          const events = steps.map((s, i) => {
            ts += s.gap;
            return cardEvent({
              eventId: `P${i}`,
              ts,
              card: cards[s.card]!,
              terminalRegion: regions[s.region] ?? '430422',
              type: s.type as 'withdrawal',
              amountFen: s.type === 'balance_inquiry' ? undefined : 10_000,
            });
          });
          expect(runEvents(events, { reference: indexed }).alerts).toEqual(
            runEvents(events, { reference: bare }).alerts,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

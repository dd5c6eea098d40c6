import type { CardEvent } from '../../records/schemas.js';
import { DAY, HOUR, MINUTE } from '../detector.js';
import type { ReferenceData } from '../ports.js';
import { at, cardEvent, sweep } from './events.js';
import { cardNumber } from './generate-events.js';
import { createMemoryReferenceData } from './memory-reference-data.js';

/**
 * A small county in three months: honest traffic, a collector sweeping the same 8 cards each month at night
 * (some of their holders dead), a shared card. Deterministic; events in time order.
 */
export function scenario(): { events: CardEvent[]; reference: ReferenceData } {
  const events: CardEvent[] = [];
  const cards: Record<
    string,
    {
      beneficiaries: {
        beneficiaryId: string;
        regionCode?: string;
        believedDeadSince?: number;
        deathEvidence?: 'confirmed';
      }[];
    }
  > = {};
  for (let i = 0; i < 40; i++)
    cards[cardNumber(i)] = { beneficiaries: [{ beneficiaryId: `B${i}`, regionCode: '430422' }] };
  for (let i = 100; i < 108; i++) {
    cards[cardNumber(i)] = {
      beneficiaries: [
        i % 2 === 0
          ? {
              beneficiaryId: `B${i}`,
              regionCode: '430422',
              believedDeadSince: at('2020-03-01T00:00'),
              deathEvidence: 'confirmed',
            }
          : { beneficiaryId: `B${i}`, regionCode: '430422' },
      ],
    };
  }
  let n = 0;
  for (let month = 1; month <= 3; month++) {
    const base = at(`2021-0${month}-01T08:00`);
    for (let day = 0; day < 20; day++) {
      for (let i = 0; i < 40; i++) {
        if ((i + day) % 7 !== 0) continue;
        events.push(
          cardEvent({
            eventId: `H${n++}`,
            ts: base + day * DAY + (i % 9) * HOUR + i * 37_000,
            card: cardNumber(i),
            terminalId: `ATM-430422-${String(i % 5).padStart(4, '0')}`,
          }),
        );
      }
    }
    events.push(
      ...sweep({
        start: at(`2021-0${month}-16T23:10`),
        cards: 8,
        gapMs: 90_000,
        firstCard: 100,
        idPrefix: `R${month}-`,
      }),
    );
    events.push(
      cardEvent({
        eventId: `X${month}`,
        ts: at(`2021-0${month}-17T10:00`) + 5 * MINUTE,
        card: cardNumber(104),
      }),
    );
  }
  events.sort((a, b) => a.ts - b.ts || (a.eventId < b.eventId ? -1 : 1));
  return { events, reference: createMemoryReferenceData(cards) };
}

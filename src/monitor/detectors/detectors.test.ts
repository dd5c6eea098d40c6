import { describe, expect, it } from 'vitest';
import { unwrap } from '../../core/result.js';
import type { Alert } from '../alert.js';
import { DEFAULT_RULES_FILE, defaultRules } from '../default-rules.js';
import { DAY, MINUTE } from '../detector.js';
import { parseRules } from '../rules.js';
import { at, cardEvent, sweep } from '../testing/events.js';
import { cardNumber } from '../testing/generate-events.js';
import { createMemoryReferenceData } from '../testing/memory-reference-data.js';
import { runEvents } from '../testing/run.js';

const byRule = (alerts: Alert[], rule: string) => alerts.filter((a) => a.rule === rule);

describe('multi-card session (the Hengnan alarm)', () => {
  it('12 cards in 20 minutes at night at one ATM: one critical terminal alert with every event', () => {
    const events = sweep({ start: at('2021-02-01T23:30'), cards: 12, gapMs: 100_000 });
    const { alerts } = runEvents(events);
    const sweeps = byRule(alerts, 'hengnan-atm-sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({
      entityType: 'terminal',
      entityId: 'ATM-430422-0007',
      severity: 'critical',
      firstTs: events[4]!.ts,
      lastTs: events[11]!.ts,
    });
    expect(sweeps[0]!.evidence).toEqual(events.map((e) => e.eventId));
    expect(sweeps[0]!.explanation).toContain('12 different cards used at terminal ATM-430422-0007');
    expect(sweeps[0]!.explanation).toContain('at night');
    expect(sweeps[0]!.explanation).not.toContain(cardNumber(100));
  });

  it('a couple (2 cards) or a village agent (3 cards) does not alert, even every day', () => {
    const events = [];
    for (let day = 0; day < 30; day++) {
      events.push(
        ...sweep({ start: at('2021-03-01T09:00') + day * DAY, cards: day % 2 ? 2 : 3, gapMs: 60_000 }),
      );
    }
    expect(runEvents(events).alerts).toEqual([]);
  });

  it('5 cards by day at a busy ATM do not alert; the same at night, or 7 by day, do', () => {
    const day5 = sweep({ start: at('2021-02-15T10:00'), cards: 5, gapMs: 3 * MINUTE });
    expect(byRule(runEvents(day5).alerts, 'hengnan-atm-sweep')).toEqual([]);
    const night5 = sweep({ start: at('2021-02-15T22:30'), cards: 5, gapMs: 3 * MINUTE });
    expect(byRule(runEvents(night5).alerts, 'hengnan-atm-sweep')).toMatchObject([{ severity: 'high' }]);
    const day7 = sweep({ start: at('2021-02-15T10:00'), cards: 7, gapMs: 3 * MINUTE });
    expect(byRule(runEvents(day7).alerts, 'hengnan-atm-sweep')).toMatchObject([{ severity: 'medium' }]);
  });

  it('cards spread out over hours (gaps beyond the run) do not alert', () => {
    const events = sweep({ start: at('2021-02-01T09:00'), cards: 8, gapMs: 15 * MINUTE });
    expect(runEvents(events).alerts).toEqual([]);
  });

  it('five cards in one switch session alert on the session', () => {
    const start = at('2021-02-01T14:00');
    const events = sweep({ start, cards: 5, gapMs: 3 * MINUTE }).map((e) => ({ ...e, sessionId: 'S1' }));
    const { alerts } = runEvents(events);
    expect(byRule(alerts, 'multi-card-session')).toMatchObject([
      { entityType: 'session', entityId: 'ATM-430422-0007/S1', severity: 'medium' },
    ]);
  });
});

/** The default rules with some of the deceased-card detector's parameters changed. */
function withDeceasedParams(params: Record<string, number>) {
  const file = structuredClone(DEFAULT_RULES_FILE);
  return unwrap(
    parseRules({
      ...file,
      detectors: file.detectors.map((d) =>
        d.id === 'deceased-card-activity' ? { ...d, params: { ...d.params, ...params } } : d,
      ),
    }),
  );
}

describe('deceased or suspended holder', () => {
  const dead = cardNumber(1);
  const suspended = cardNumber(2);
  const shared = cardNumber(3);
  const inReview = cardNumber(4);
  const reference = createMemoryReferenceData({
    [dead]: {
      beneficiaries: [
        {
          beneficiaryId: 'B1',
          regionCode: '430422',
          believedDeadSince: at('2020-06-10T00:00'),
          deathEvidence: 'confirmed',
        },
      ],
    },
    [suspended]: {
      beneficiaries: [
        { beneficiaryId: 'B2', statusChanges: [{ at: at('2021-01-05T00:00'), status: 'suspended' }] },
      ],
    },
    [shared]: {
      beneficiaries: [
        { beneficiaryId: 'B3', believedDeadSince: at('2020-06-10T00:00'), deathEvidence: 'review' },
        { beneficiaryId: 'B4' },
      ],
    },
    [inReview]: {
      beneficiaries: [
        { beneficiaryId: 'B5', believedDeadSince: at('2020-06-10T00:00'), deathEvidence: 'review' },
      ],
    },
  });

  it('fires on a withdrawal after the day of death, not on the day itself', () => {
    const onTheDay = cardEvent({ ts: at('2020-06-10T15:00'), card: dead });
    const after = cardEvent({ ts: at('2021-02-01T10:00'), card: dead });
    expect(runEvents([onTheDay], { reference }).alerts).toEqual([]);
    const { alerts } = runEvents([onTheDay, after], { reference });
    expect(byRule(alerts, 'ghost-card-activity')).toMatchObject([
      {
        entityType: 'card',
        entityId: dead,
        severity: 'critical',
        beneficiaryIds: ['B1'],
        evidence: [after.eventId],
      },
    ]);
    expect(alerts[0]!.explanation).toContain('believed dead since 2020-06-10');
  });

  it('fires on a suspended benefit only after the suspension', () => {
    // With the suspension weighted as strongly as the default used to (0.7), so that it alerts alone.
    const rules = withDeceasedParams({ suspendedStrength: 0.7 });
    const before = cardEvent({ ts: at('2021-01-04T10:00'), card: suspended });
    const later = cardEvent({ ts: at('2021-01-20T10:00'), card: suspended });
    expect(runEvents([before], { reference, rules }).alerts).toEqual([]);
    expect(
      byRule(runEvents([before, later], { reference, rules }).alerts, 'ghost-card-activity'),
    ).toMatchObject([{ severity: 'medium', evidence: [later.eventId] }]);
  });

  it('by default a suspended benefit alone does not alert: living pensioners suspended for a missed certification still use their cards', () => {
    const later = cardEvent({ ts: at('2021-01-20T10:00'), card: suspended });
    expect(runEvents([later], { reference }).alerts).toEqual([]);
  });

  it("by default a death in review alone does not alert (it is in death matching's review queue); with its old strength it does", () => {
    const e = cardEvent({ ts: at('2021-02-01T10:00'), card: inReview });
    expect(runEvents([e], { reference }).alerts).toEqual([]);
    const rules = withDeceasedParams({ reviewStrength: 0.8 });
    expect(byRule(runEvents([e], { reference, rules }).alerts, 'ghost-card-activity')).toMatchObject([
      { entityId: inReview, beneficiaryIds: ['B5'], evidence: [e.eventId] },
    ]);
  });

  it('a widow using the card she shares with her dead husband does not alert', () => {
    const e = cardEvent({ ts: at('2021-02-01T10:00'), card: shared });
    expect(runEvents([e], { reference }).alerts).toEqual([]);
  });
});

describe('cards used together across months (a collector ring)', () => {
  it('the same 6 cards swept together in 3 different months form a ring; 2 months do not', () => {
    const months = ['2021-01-16T22:00', '2021-02-16T22:00', '2021-03-16T22:00'];
    const events = months.flatMap((m, i) =>
      sweep({ start: at(m), cards: 6, gapMs: 2 * MINUTE, idPrefix: `M${i}-` }),
    );
    const rules = defaultRules();
    const twoMonths = runEvents(events.slice(0, 12), { rules }).alerts;
    expect(byRule(twoMonths, 'collector-ring')).toEqual([]);
    const rings = byRule(runEvents(events, { rules }).alerts, 'collector-ring');
    expect(rings).toHaveLength(1);
    expect(rings[0]).toMatchObject({ entityType: 'ring' });
    expect(rings[0]!.entityId).toMatch(/^ring-[0-9a-f]{16}$/);
    expect(rings[0]!.explanation).toContain('6 cards used together');
    expect(rings[0]!.explanation).toContain('2021-01, 2021-02, 2021-03');
  });

  it('a village agent with 3 cards every month for a year is no ring', () => {
    const events = [];
    for (let m = 1; m <= 12; m++) {
      events.push(
        ...sweep({ start: at(`2021-${String(m).padStart(2, '0')}-15T10:00`), cards: 3, gapMs: MINUTE }),
      );
    }
    expect(runEvents(events).alerts).toEqual([]);
  });
});

describe('reference-data detectors', () => {
  const many = cardNumber(10);
  const couple = cardNumber(11);
  const changed = cardNumber(12);
  const migrant = cardNumber(13);
  const dormant = cardNumber(14);
  const payday = at('2021-07-15T00:00');
  const reference = createMemoryReferenceData({
    [many]: { beneficiaries: [{ beneficiaryId: 'B1' }, { beneficiaryId: 'B2' }, { beneficiaryId: 'B3' }] },
    [couple]: { beneficiaries: [{ beneficiaryId: 'B4' }, { beneficiaryId: 'B5' }] },
    [changed]: {
      beneficiaries: [
        {
          beneficiaryId: 'B6',
          believedDeadSince: at('2020-05-01T00:00'),
          deathEvidence: 'review',
          accountChanges: [{ at: at('2020-04-20T00:00'), newCard: changed, handlerId: 'H7' }],
        },
      ],
    },
    [migrant]: { beneficiaries: [{ beneficiaryId: 'B8', regionCode: '440305' }] },
    [dormant]: { beneficiaries: [{ beneficiaryId: 'B9', regionCode: '440305' }], paymentTimes: [payday] },
  });

  it("a card receiving 3 beneficiaries' pensions alerts; a couple's shared card does not", () => {
    const { alerts } = runEvents(
      [
        cardEvent({ ts: at('2021-02-01T10:00'), card: many }),
        cardEvent({ ts: at('2021-02-01T11:00'), card: couple }),
      ],
      { reference },
    );
    expect(byRule(alerts, 'shared-pension-card')).toMatchObject([
      { entityId: many, beneficiaryIds: ['B1', 'B2', 'B3'], severity: 'medium' },
    ]);
    expect(alerts.filter((a) => a.entityId === couple)).toEqual([]);
  });

  it('a card made the pension card 11 days before the death, used after it, alerts and names the handler', () => {
    const { alerts } = runEvents([cardEvent({ ts: at('2020-09-01T10:00'), card: changed })], { reference });
    const hit = byRule(alerts, 'card-changed-near-death');
    expect(hit).toHaveLength(1);
    expect(hit[0]!.explanation).toContain('by handler H7');
    // The ghost-card typology also counts it: a death in review (0.5 in the default rules, under the threshold alone)
    // and the changed card (0.7 × 0.3) together.
    expect(byRule(alerts, 'ghost-card-activity')[0]!.score).toBeCloseTo(0.5 + 0.7 * 0.3, 5);
  });

  it('a withdrawal far from home alone does not alert (people live with their children)', () => {
    const e = cardEvent({ ts: at('2021-02-01T10:00'), card: migrant });
    expect(runEvents([e], { reference }).alerts).toEqual([]);
  });

  it('a dormant card swept right after payday far from home alerts; not dormant, it does not', () => {
    const opening = cardEvent({ ts: at('2021-01-01T10:00'), card: cardNumber(99) });
    const swept = cardEvent({ ts: at('2021-07-15T09:00'), card: dormant, amountFen: 300_000 });
    const { alerts } = runEvents([opening, swept], { reference });
    const hit = byRule(alerts, 'dormant-card-swept-far-away');
    expect(hit).toHaveLength(1);
    expect(hit[0]!.explanation).toContain('unused for at least 180 days');
    expect(hit[0]!.explanation).toContain('¥3000.00');
    const recentUse = cardEvent({ ts: at('2021-06-01T10:00'), card: dormant, type: 'balance_inquiry' });
    expect(runEvents([opening, recentUse, swept], { reference }).alerts).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CardEvent } from '../records/schemas.js';
import type { Alert } from './alert.js';
import { alertIdFor } from './alert.js';
import { defaultRules } from './default-rules.js';
import { MINUTE } from './detector.js';
import { createEngine, type DetectorFailure } from './engine.js';
import { at, cardEvent, sweep } from './testing/events.js';
import { cardNumber } from './testing/generate-events.js';
import { runEvents, sortAlerts } from './testing/run.js';
import { scenario } from './testing/scenario.js';

const LATENESS = 5 * MINUTE;
const { events, reference } = scenario();
const expected = runEvents(events, { reference }).alerts;

/** Delivery order: each event displaced by up to the allowed lateness, so that none is late. */
function shuffleWithinLateness(list: readonly CardEvent[], delays: readonly number[]): CardEvent[] {
  return list
    .map((e, i) => ({ e, key: e.ts + (delays[i % delays.length] ?? 0) }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.e);
}

function collect(engine: ReturnType<typeof createEngine>, into: Map<string, Alert>): void {
  for (const a of engine.takeChanges()) into.set(a.alertId, a);
}

describe('engine', () => {
  it('the scenario raises the sweep, the ring and the dead cards, and nothing on honest traffic', () => {
    const rules = new Set(expected.map((a) => a.rule));
    expect(rules).toEqual(new Set(['hengnan-atm-sweep', 'collector-ring', 'ghost-card-activity']));
    expect(expected.filter((a) => a.rule === 'hengnan-atm-sweep')).toHaveLength(1);
    expect(expected.every((a) => a.ruleVersion === defaultRules().version)).toBe(true);
    expect(expected.flatMap((a) => a.evidence).some((id) => id.startsWith('H'))).toBe(false);
  });

  it('closes an alert idle for its typology period; later evidence opens a new one (same terminal)', () => {
    // hengnan-atm-sweep closes after 90 idle days: a sweep in January, a quiet ATM, a sweep in June.
    const january = sweep({ start: at('2021-01-16T23:00'), cards: 8, gapMs: 90_000, idPrefix: 'J' });
    const honest = cardEvent({ eventId: 'Q1', ts: at('2021-05-20T10:00'), terminalId: 'ATM-430422-0001' });
    const june = sweep({ start: at('2021-06-16T23:00'), cards: 8, gapMs: 90_000, idPrefix: 'U' });
    const sweeps = runEvents([...january, honest, ...june]).alerts.filter(
      (a) => a.rule === 'hengnan-atm-sweep',
    );
    expect(sweeps).toHaveLength(2);
    const [first, second] = [...sweeps].sort((a, b) => a.firstTs - b.firstTs);
    expect(first).toMatchObject({ status: 'closed', lastTs: january.at(-1)!.ts });
    expect(second).toMatchObject({ status: 'open', firstTs: june[4]!.ts });
    expect(first!.alertId).not.toBe(second!.alertId);
    // Without the quiet months in between nothing closes.
    const open = runEvents(january).alerts.filter((a) => a.rule === 'hengnan-atm-sweep');
    expect(open.map((a) => a.status)).toEqual(['open']);
  });

  it('replaying the same events twice gives the same alerts (deterministic ids)', () => {
    const again = runEvents(events, { reference }).alerts;
    expect(again).toEqual(expected);
    const sweepAlert = expected.find((a) => a.rule === 'hengnan-atm-sweep')!;
    expect(sweepAlert.alertId).toBe(
      alertIdFor('hengnan-atm-sweep', 'terminal', sweepAlert.entityId, sweepAlert.firstTs),
    );
  });

  it('events shuffled within the lateness, and duplicated, give the same alerts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: LATENESS }), { minLength: 1, maxLength: 64 }),
        fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 20 }),
        (delays, duplicated) => {
          const delivered = shuffleWithinLateness(events, delays);
          // A second delivery of an event comes a few messages after the first.
          for (const i of duplicated) {
            delivered.splice(
              Math.min(delivered.length, delivered.indexOf(events[i]!) + 1 + (i % 4)),
              0,
              events[i]!,
            );
          }
          const { alerts, engine } = runEvents(delivered, { reference });
          expect(alerts).toEqual(expected);
          // A copy is ignored either way: as a duplicate while its id is remembered, or as late once the
          // watermark has passed it (never processed twice).
          const { late, duplicates, processed } = engine.stats();
          expect(late + duplicates).toBe(duplicated.length);
          expect(processed).toBe(events.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('an event later than the allowed lateness is dropped and counted, as documented', () => {
    const late: CardEvent[] = [];
    const engine = createEngine({ rules: defaultRules(), reference, onLate: (e) => late.push(e) });
    const sweepEvents = sweep({ start: at('2021-02-01T23:30'), cards: 6, gapMs: MINUTE });
    const [first, ...rest] = sweepEvents;
    for (const e of rest) engine.push(e);
    // Ten minutes of event time pass at the terminal next door.
    engine.push(cardEvent({ ts: at('2021-02-01T23:50'), card: cardNumber(7), terminalId: 'ATM-2' }));
    expect(engine.push(first!)).toBe('late');
    engine.drain();
    expect(engine.stats()).toMatchObject({ late: 1, processed: 6 });
    expect(late).toEqual([first]);
    // Five cards remain: still the alarm, without the late event as evidence.
    const alert = engine.takeChanges().find((a) => a.rule === 'hengnan-atm-sweep');
    expect(alert?.evidence).not.toContain(first!.eventId);
  });

  it('a restart from a checkpoint, with re-delivery after it, gives exactly the same alerts', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: events.length - 1 }),
        fc.nat({ max: 30 }),
        fc.array(fc.integer({ min: 0, max: LATENESS }), { minLength: 1, maxLength: 16 }),
        (cut, redeliver, delays) => {
          const delivered = shuffleWithinLateness(events, delays);
          const alerts = new Map<string, Alert>();
          const first = createEngine({ rules: defaultRules(), reference });
          for (const e of delivered.slice(0, cut)) first.push(e);
          collect(first, alerts);
          const saved = JSON.parse(JSON.stringify(first.snapshot()));
          // Work after the checkpoint is lost with the crash: it is neither stored nor acknowledged.
          for (const e of delivered.slice(cut, cut + 50)) first.push(e);
          first.takeChanges();

          const second = createEngine({ rules: defaultRules(), reference });
          expect(second.restore(saved).ok).toBe(true);
          for (const e of delivered.slice(Math.max(0, cut - redeliver))) second.push(e);
          second.drain();
          collect(second, alerts);
          expect(sortAlerts([...alerts.values()])).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps one open alert per entity and typology, updated by new evidence', () => {
    const night1 = sweep({ start: at('2021-02-01T23:00'), cards: 6, gapMs: MINUTE, idPrefix: 'A' });
    const night2 = sweep({
      start: at('2021-02-20T23:00'),
      cards: 9,
      gapMs: MINUTE,
      firstCard: 200,
      idPrefix: 'B',
    });
    const { alerts } = runEvents([...night1, ...night2]);
    const sweeps = alerts.filter((a) => a.rule === 'hengnan-atm-sweep');
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ firstTs: night1[4]!.ts, lastTs: night2[8]!.ts });
    expect(sweeps[0]!.evidence).toEqual([...night1, ...night2].map((e) => e.eventId));
    expect(sweeps[0]!.score).toBe(1);
  });

  it('after the idle period a new alert opens, with a new id', () => {
    const a = sweep({ start: at('2021-01-01T23:00'), cards: 5, gapMs: MINUTE, idPrefix: 'A' });
    const b = sweep({ start: at('2021-06-01T23:00'), cards: 5, gapMs: MINUTE, idPrefix: 'B' });
    const sweeps = runEvents([...a, ...b], { reference }).alerts.filter(
      (x) => x.rule === 'hengnan-atm-sweep',
    );
    expect(sweeps).toHaveLength(2);
    expect(new Set(sweeps.map((s) => s.alertId)).size).toBe(2);
  });

  it('a detector that throws yields a counted error and the stream goes on', () => {
    const failures: DetectorFailure[] = [];
    const broken = cardNumber(104);
    const engine = createEngine({
      rules: defaultRules(),
      reference: {
        card: (card) => {
          if (card === broken) throw new Error(`reference store down for ${card}`);
          return reference.card(card);
        },
      },
      onError: (f) => failures.push(f),
    });
    const alerts = new Map<string, Alert>();
    for (const e of events) engine.push(e);
    engine.drain();
    collect(engine, alerts);
    expect(engine.stats().detectorErrors).toBeGreaterThan(0);
    expect(engine.stats().processed).toBe(events.length);
    expect(failures[0]?.message).toContain('621700*********');
    expect(failures[0]?.message).not.toContain(broken);
    expect([...alerts.values()].some((a) => a.rule === 'hengnan-atm-sweep')).toBe(true);
  });

  it('state stays bounded: expired keys are collected as the watermark moves', () => {
    const engine = createEngine({ rules: defaultRules(), reference });
    const start = at('2021-01-01T08:00');
    for (let i = 0; i < 20_000; i++) {
      engine.push(
        cardEvent({
          eventId: `E${i}`,
          ts: start + i * 60_000,
          card: cardNumber(i % 500),
          terminalId: `T${i % 50}`,
        }),
      );
    }
    const stats = engine.stats();
    // 500 cards' last-seen entries dominate; events, terminals and windows have been collected.
    expect(stats.stateKeys).toBeLessThan(1_500);
    expect(stats.buffered).toBeLessThanOrEqual(6);
  });
});

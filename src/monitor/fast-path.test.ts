import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../core/result.js';
import type { CardEvent } from '../records/schemas.js';
import type { Alert } from './alert.js';
import { DEFAULT_RULES_FILE } from './default-rules.js';
import { DAY, HOUR, MINUTE } from './detector.js';
import { createEngine, type Engine } from './engine.js';
import { createMonitor } from './monitor.js';
import type { LoadedReferenceData, ReferenceData } from './ports.js';
import { cardTableOf, createReferenceIndex } from './reference-index.js';
import { parseRules, type Rules } from './rules.js';
import { replayFile } from './sources/replay-file.js';
import { toEventLine } from './testing/event-lines.js';
import { cardNumber } from './testing/generate-events.js';
import { createMemoryAlertSink } from './testing/memory-alert-sink.js';
import { sortAlerts } from './testing/run.js';

/**
 * The replay's fast path (card numbers from the card table, facts read by number, one reused event record) against
 * the plain path (events pushed as objects, every card looked up in a reference without a card table): the same
 * alerts, every field, on random traffic that makes every detector fire.
 */

const START = Date.parse('2021-01-01T00:00:00+08:00');
const CARDS = 120;
const REGIONS = ['430422', '430423', '430521', '440101'];

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** A roll with shared cards, several regions, deaths, suspensions, card changes near death and payments. */
function randomReference(random: () => number): LoadedReferenceData {
  const index = createReferenceIndex();
  for (let b = 0; b < CARDS + 20; b++) {
    const beneficiaryId = `B${b}`;
    // The last 20 beneficiaries share cards 0-9 (two each): cards with 3 holders.
    const card = b < CARDS ? cardNumber(b) : cardNumber((b - CARDS) % 10);
    const regionCode = random() < 0.1 ? undefined : REGIONS[Math.floor(random() * REGIONS.length)];
    index.addBeneficiary({ beneficiaryId, regionCode, card });
    for (let m = 0; m < 120; m++) index.addPayment({ beneficiaryId, at: START + m * 30 * DAY + 9 * DAY });
    const r = random();
    if (r < 0.15) {
      const since = START + Math.floor(random() * 120) * DAY;
      index.addDeath({ beneficiaryId, since, evidence: random() < 0.5 ? 'confirmed' : 'review' });
      if (random() < 0.5) {
        const newCard = cardNumber(1000 + b);
        index.addAccountChange({
          beneficiaryId,
          at: since - Math.floor(random() * 100) * DAY + 30 * DAY,
          oldCard: card,
          newCard,
          handlerId: random() < 0.5 ? 'H1' : undefined,
        });
      }
    } else if (r < 0.25) {
      index.addStatusChange({
        beneficiaryId,
        at: START + Math.floor(random() * 150) * DAY,
        status: random() < 0.5 ? 'suspended' : 'terminated',
      });
    }
  }
  return index.build();
}

/** Events in time order with jitter inside the lateness, sweeps at night, duplicates, unknown cards, sessions. */
function randomEvents(random: () => number, n: number): CardEvent[] {
  const out: CardEvent[] = [];
  let t = START;
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  while (out.length < n) {
    t += Math.floor(random() * 120 * MINUTE);
    if (random() < 0.001) t += (200 + 200 * random()) * DAY; // a long quiet spell: dormant cards
    // A collector's round of the same 8 cards at one ATM (a ring, month after month), or a random sweep.
    const ring = random() < 0.02;
    const sweep = ring || random() < 0.03;
    const count = ring ? 8 : sweep ? 6 + Math.floor(random() * 6) : 1;
    const terminal = ring
      ? 'ATM-430422-0099'
      : `ATM-${pick(REGIONS)}-${String(Math.floor(random() * 6)).padStart(4, '0')}`;
    const firstCard = ring ? 50 : Math.floor(random() * CARDS);
    for (let k = 0; k < count; k++) {
      const unknown = random() < 0.05;
      const changed = random() < 0.05;
      const card = unknown
        ? cardNumber(5000 + Math.floor(random() * 50))
        : changed
          ? cardNumber(1000 + Math.floor(random() * CARDS))
          : cardNumber(
              ring ? firstCard + k : sweep ? (firstCard + k * 7) % CARDS : Math.floor(random() * CARDS),
            );
      const channel = ring ? 'atm' : pick(['atm', 'atm', 'atm', 'pos', 'counter', 'online'] as const);
      const type = ring
        ? 'withdrawal'
        : pick(['withdrawal', 'withdrawal', 'balance_inquiry', 'transfer_out', 'pin_failure'] as const);
      const hasTerminal = channel === 'atm' || channel === 'pos' || random() < 0.5;
      const jitter = Math.floor(random() * 4 * MINUTE);
      out.push({
        eventId: `E${out.length}`,
        ts: t + k * 90_000 + jitter + (sweep ? 23 * HOUR : 0),
        card,
        terminalId: hasTerminal ? terminal : undefined,
        terminalRegion: hasTerminal && random() < 0.9 ? terminal.slice(4, 10) : undefined,
        channel,
        type,
        amountFen:
          type === 'withdrawal' || type === 'transfer_out'
            ? 10_000 + Math.floor(random() * 90) * 100
            : undefined,
        result: !ring && random() < 0.1 ? 'declined' : 'approved',
        sessionId: sweep && random() < 0.5 ? `S${t}` : undefined,
      } as CardEvent);
      if (random() < 0.01) out.push(out[out.length - 1]!); // a re-delivery
    }
  }
  return out;
}

/** The default rules, and each weak detector alone as a typology of its own: every detector's results show. */
function rules(): Rules {
  const file = structuredClone(DEFAULT_RULES_FILE);
  const solo = (detector: string, entityType: string) => ({
    id: `solo-${detector}`,
    title: `${detector} alone`,
    entityType,
    detectors: [{ detector, weight: 1 }],
    threshold: 0.1,
    severity: { medium: 0.5, high: 0.9, critical: 1.5 },
    combineWindowDays: 30,
    closeAfterIdleDays: 60,
  });
  return unwrap(
    parseRules({
      ...file,
      typologies: [
        ...file.typologies,
        solo('far-from-home', 'terminal'),
        solo('dormant-card-swept', 'card'),
        solo('co-used-cards', 'ring'),
      ],
    }),
  );
}

/** A reference without a card table: every look-up by card, as any other ReferenceData. */
const plain = (reference: ReferenceData): ReferenceData => ({ card: (card) => reference.card(card) });

function pushAll(engine: Engine, events: readonly CardEvent[], into: Map<string, Alert>): void {
  for (const e of events) {
    engine.push(e);
    for (const a of engine.takeChanges()) into.set(a.alertId, a);
  }
}

function finish(engine: Engine, into: Map<string, Alert>): Alert[] {
  engine.drain();
  for (const a of engine.takeChanges()) into.set(a.alertId, a);
  return sortAlerts([...into.values()]);
}

function writeLines(events: readonly CardEvent[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gw-fast-path-')), 'card_events.jsonl');
  writeFileSync(path, `${events.map(toEventLine).join('\n')}\n`);
  return path;
}

describe('the fast path (card table, reused event record) and the plain path', () => {
  for (const seed of [1, 2, 3]) {
    it(`give the same alerts, every field, on random traffic (seed ${seed})`, async () => {
      const random = xorshift(seed);
      const reference = randomReference(random);
      expect(cardTableOf(reference)).toBeDefined();
      expect(cardTableOf(plain(reference))).toBeUndefined();
      // Timestamps to the second, as the event lines carry them.
      const events = randomEvents(random, 4_000).map((e) => ({ ...e, ts: Math.floor(e.ts / 1000) * 1000 }));

      const plainRun = createEngine({ rules: rules(), reference: plain(reference) });
      const expected = finish(
        plainRun,
        (() => {
          const m = new Map<string, Alert>();
          pushAll(plainRun, events, m);
          return m;
        })(),
      );
      // Every detector has something to say on this traffic, so that the comparison means something.
      const fired = new Set(expected.map((a) => a.rule));
      expect(fired.size).toBeGreaterThanOrEqual(seed === 2 ? rules().typologies.length : 8);

      // Pushed as objects, with the card table (the engine looks each card's number up).
      const tableRun = createEngine({ rules: rules(), reference });
      const tableAlerts = new Map<string, Alert>();
      pushAll(tableRun, events, tableAlerts);
      expect(finish(tableRun, tableAlerts)).toEqual(expected);
      expect(tableRun.stats()).toEqual(plainRun.stats());

      // The replay: columns from the reader, card numbers resolved once per card, one reused record.
      const sink = createMemoryAlertSink();
      const monitor = createMonitor({ rules: rules(), sink, reference });
      const summary = await replayFile(writeLines(events), monitor, { readInWorker: false });
      expect(summary.duplicates).toBe(plainRun.stats().duplicates);
      expect(sink.list()).toEqual(expected);
    });
  }

  it('restores a checkpoint across the two paths and carries on to the same alerts', () => {
    const random = xorshift(9);
    const reference = randomReference(random);
    const events = randomEvents(random, 3_000);
    const uninterrupted = createEngine({ rules: rules(), reference: plain(reference) });
    const expectedAlerts = new Map<string, Alert>();
    pushAll(uninterrupted, events, expectedAlerts);
    const expected = finish(uninterrupted, expectedAlerts);

    for (const cut of [700, 1_500, 2_600]) {
      for (const [from, to] of [
        [plain(reference), reference],
        [reference, plain(reference)],
        [reference, reference],
      ] as const) {
        const alerts = new Map<string, Alert>();
        const first = createEngine({ rules: rules(), reference: from });
        pushAll(first, events.slice(0, cut), alerts);
        const saved = JSON.parse(JSON.stringify(first.snapshot()));
        const second = createEngine({ rules: rules(), reference: to });
        expect(second.restore(saved).ok).toBe(true);
        // The same state, whichever path took it (the order of the dormant cards may differ).
        const again = JSON.parse(JSON.stringify(second.snapshot()));
        const dormant = (s: { detectors: Record<string, { lastSeen: [string, number][] }> }) =>
          [...s.detectors['dormant-card-swept']!.lastSeen].sort();
        expect(dormant(again)).toEqual(dormant(saved));
        expect({ ...again, detectors: { ...again.detectors, 'dormant-card-swept': null } }).toEqual({
          ...saved,
          detectors: { ...saved.detectors, 'dormant-card-swept': null },
        });
        pushAll(second, events.slice(cut), alerts);
        expect(finish(second, alerts)).toEqual(expected);
      }
    }
  });
});

import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import { shortHash } from '../alert.js';
import {
  beneficiariesOf,
  DAY,
  type Detector,
  type DetectorEnvironment,
  MINUTE,
  monthLabel,
  shanghaiMonthIndex,
} from '../detector.js';
import { detach } from '../event-line.js';
import { createExpiringMap, sweepIntervalFor } from '../expiring-map.js';
import {
  createSlidingWindow,
  createWindowPool,
  type SlidingWindow,
  type SlidingWindowState,
} from '../sliding-window.js';
import { CARD_USE, compileFilter, eventFilterParams } from './common.js';

/**
 * A collector's ring: the same cards used at the same terminal minutes apart, month after month. Pairs of cards
 * used within `pairWindowMinutes` of each other at one terminal are counted by distinct month; a pair seen in
 * `minMonths` months is strong; strong pairs join cards into a ring, and a ring of `minRingCards` cards fires.
 */
export const coUsedCardsParams = z
  .object({
    pairWindowMinutes: z.number().positive().default(10),
    minMonths: z.int().min(2).default(3),
    /** A couple (2) or a village agent with 3 cards never fires. */
    minRingCards: z.int().min(2).default(4),
    /** A pair unseen for this long starts counting again from zero. */
    pairRetentionDays: z.int().min(1).default(100),
    /** At most this many earlier cards at the terminal are paired with each event (bounds work at busy ATMs). */
    maxNeighbours: z.int().min(1).default(30),
    /**
     * Cards are paired only while the terminal sees at least this many distinct cards within the pairing
     * window: a couple or an agent with 2-3 cards never forms pairs, and quiet terminals cost nothing.
     */
    minRunCards: z.int().min(2).default(4),
    eventTypes: eventFilterParams.eventTypes.default([...CARD_USE]),
    channels: eventFilterParams.channels.default(['atm', 'pos']),
    includeDeclined: eventFilterParams.includeDeclined.default(false),
  })
  .strict();
export type CoUsedCardsParams = z.infer<typeof coUsedCardsParams>;

interface TerminalRun {
  window: SlidingWindow;
  /** The run at the terminal has reached minRunCards distinct cards (its cards have been paired). */
  active: boolean;
}

interface Pair {
  lastTs: number;
  /** Distinct month indices, ascending. */
  months: number[];
  /** One event pair per month (evidence). */
  evidence: string[];
}

interface Ring {
  id: string;
  foundedAt: number;
  members: string[];
  months: number[];
  fired: boolean;
}

interface Snapshot {
  recent: [string, { window: SlidingWindowState; active: boolean }, number][];
  pairs: [string, Pair, number][];
  rings: Ring[];
}

const MAX_RING_EVIDENCE_MONTHS = 24;
const MAX_SPARE_RUNS = 1024;

export function createCoUsedCards(id: string, params: CoUsedCardsParams, env: DetectorEnvironment): Detector {
  const accepts = compileFilter(params);
  const windowMs = params.pairWindowMinutes * MINUTE;
  const retentionMs = params.pairRetentionDays * DAY;
  const windows = createWindowPool(windowMs);
  // The runs of terminals that went quiet, for the next ones (with a window from the pool).
  const spareRuns: TerminalRun[] = [];
  const recent = createExpiringMap<TerminalRun>(sweepIntervalFor(windowMs), (run) => {
    windows.give(run.window);
    if (spareRuns.length < MAX_SPARE_RUNS) spareRuns.push(run);
  });
  const pairs = createExpiringMap<Pair>(sweepIntervalFor(retentionMs));
  const latestCards: string[] = [];
  const latestIds: string[] = [];
  /** card → ring, for cards in at least one strong pair. */
  const ringOf = new Map<string, Ring>();

  function join(a: string, b: string, ts: number, months: readonly number[]): Ring {
    const ra = ringOf.get(a);
    const rb = ringOf.get(b);
    let ring: Ring;
    if (ra === undefined && rb === undefined) {
      const key = a < b ? `${a}|${b}` : `${b}|${a}`;
      ring = { id: `ring-${shortHash(key)}`, foundedAt: ts, members: [a, b], months: [], fired: false };
      ringOf.set(a, ring);
      ringOf.set(b, ring);
    } else if (ra !== undefined && rb !== undefined && ra !== rb) {
      // The older ring absorbs the younger: its id (and open alert) carries on.
      const older = ra.foundedAt < rb.foundedAt || (ra.foundedAt === rb.foundedAt && ra.id < rb.id) ? ra : rb;
      const younger = older === ra ? rb : ra;
      for (const card of younger.members) {
        older.members.push(card);
        ringOf.set(card, older);
      }
      older.months = mergeMonths(older.months, younger.months);
      older.fired ||= younger.fired;
      ring = older;
    } else {
      ring = (ra ?? rb)!;
      const newcomer = ra === undefined ? a : b;
      if (!ringOf.has(newcomer)) {
        ring.members.push(newcomer);
        ringOf.set(newcomer, ring);
      }
    }
    ring.months = mergeMonths(ring.months, months);
    return ring;
  }

  function onPair(
    a: string,
    aId: string,
    b: string,
    bId: string,
    ts: number,
    month: number,
    emit: Parameters<Detector['onEvent']>[1],
  ): void {
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    let pair = pairs.get(key);
    if (pair === undefined || ts - pair.lastTs > retentionMs) pair = { lastTs: ts, months: [], evidence: [] };
    pair.lastTs = ts;
    pairs.touch(key, pair, ts);
    const newMonth = pair.months[pair.months.length - 1] !== month;
    if (newMonth) {
      pair.months.push(month);
      // Held for pairRetentionDays: copies, not slices of the input line.
      pair.evidence.push(detach(bId), detach(aId));
    }
    if (pair.months.length < params.minMonths) return;
    const alreadyStrong = ringOf.get(a) !== undefined && ringOf.get(a) === ringOf.get(b);
    if (alreadyStrong && !newMonth) return;
    const ring = join(a, b, ts, pair.months);
    if (ring.members.length < params.minRingCards) return;
    const first = !ring.fired;
    ring.fired = true;
    const shown = ring.members.slice(0, 5).map(maskCardNumber).join(', ');
    const months = ring.months.slice(-MAX_RING_EVIDENCE_MONTHS).map(monthLabel);
    emit({
      detectorId: id,
      ts,
      entities: { ring: ring.id },
      strength: Math.min(
        1,
        Math.round((0.6 + (0.4 * (ring.members.length - params.minRingCards)) / 8) * 1000) / 1000,
      ),
      reason:
        `${ring.members.length} cards used together at the same terminals, within ${params.pairWindowMinutes} minutes ` +
        `of each other, in ${ring.months.length} different months (${months.join(', ')}); cards ${shown}` +
        `${ring.members.length > 5 ? ', …' : ''}`,
      evidence: first ? [...pair.evidence] : [bId, aId],
      beneficiaryIds: beneficiariesOf(env.reference, first ? ring.members : [a, b]),
    });
  }

  return {
    id,
    onEvent(event, emit) {
      const terminalId = event.terminalId;
      if (terminalId === undefined || !accepts(event)) return;
      let run = recent.getAndTouch(terminalId, event.ts);
      if (run === undefined) {
        run = spareRuns.pop();
        if (run === undefined) run = { window: windows.take(), active: false };
        else {
          run.window = windows.take();
          run.active = false;
        }
        recent.touch(terminalId, run, event.ts);
      }
      run.window.add(event.ts, event.card, event.eventId);
      if (run.window.distinct < params.minRunCards) {
        run.active = false;
        return;
      }
      const month = shanghaiMonthIndex(event.ts);
      // The latest event of each distinct card in the window, newest first (the current event is the newest).
      latestCards.length = 0;
      latestIds.length = 0;
      const limit = params.maxNeighbours + 1;
      run.window.forEachNewestFirst((card, eventId) => {
        if (!latestCards.includes(card)) {
          latestCards.push(card);
          latestIds.push(eventId);
        }
        return latestCards.length < limit;
      });
      if (!run.active) {
        // The run just reached minRunCards: pair every two of its cards once.
        run.active = true;
        for (let i = 0; i < latestCards.length; i++) {
          for (let j = i + 1; j < latestCards.length; j++) {
            onPair(latestCards[i]!, latestIds[i]!, latestCards[j]!, latestIds[j]!, event.ts, month, emit);
          }
        }
        return;
      }
      for (let j = 1; j < latestCards.length; j++) {
        onPair(event.card, event.eventId, latestCards[j]!, latestIds[j]!, event.ts, month, emit);
      }
    },
    expire(watermark) {
      recent.expire(watermark - windowMs);
      pairs.expire(watermark - retentionMs);
    },
    snapshot: (): Snapshot => {
      const rings = [...new Set(ringOf.values())];
      const runs = recent
        .snapshot()
        .map(([k, r, at]): [string, { window: SlidingWindowState; active: boolean }, number] => [
          k,
          { window: r.window.snapshot(), active: r.active },
          at,
        ]);
      return { recent: runs, pairs: pairs.snapshot(), rings };
    },
    restore(state) {
      const s = state as Snapshot;
      recent.restore(
        s.recent.map(([k, r, at]) => [
          k,
          { window: createSlidingWindow(windowMs, r.window), active: r.active },
          at,
        ]),
      );
      pairs.restore(s.pairs);
      ringOf.clear();
      for (const ring of s.rings) {
        const copy = { ...ring, members: [...ring.members], months: [...ring.months] };
        for (const card of copy.members) ringOf.set(card, copy);
      }
    },
    stateSize: () => recent.size + pairs.size + ringOf.size,
  };
}

function mergeMonths(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

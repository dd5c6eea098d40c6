import { createHash } from 'node:crypto';
import { UndirectedGraph } from 'graphology';
import { connectedComponents } from 'graphology-components';
import { type EpochMs, SHANGHAI_OFFSET_MS, shanghaiDate } from '../core/time.js';
import type { TerminalUse } from './ports.js';
import { poissonUpperTail } from './stats.js';

/**
 * Card co-use: which cards are used at the same terminal minutes apart, again and again.
 *
 * Events of one card at one terminal close together make a *visit*; visits at one terminal with at most
 * `sweepGapMs` between one's end and the next one's start make a *sweep*. A sweep of at least `minSweepCards`
 * distinct cards is a multi-card sweep (a couple is 2 cards, a village agent withdrawing for neighbours 2-3); a card
 * seen in multi-card sweeps on at least `minSweepDays` different days is a *core* card (repeated, not one
 * coincidence). Core cards swept together are joined in a graph (graphology); each connected component with at
 * least `minSweepCards` core cards is a ring. A card seen in a single multi-card sweep that the ring's core cards
 * dominate, between two of them, is *attached* to the ring (a card the ring took only lately). A multi-card sweep
 * must also be denser than its terminal's own traffic in the hours around it (`isDense`): a queue at a busy town
 * ATM is not a sweep.
 */

export interface CoUseOptions {
  /** Events of one card at one terminal at most this far apart are one visit (default 10 minutes). */
  readonly visitGapMs: number;
  /** Visits at most this far apart (end → next start) are one sweep (default 3 minutes). */
  readonly sweepGapMs: number;
  /** Distinct cards that make a sweep a multi-card sweep, and core cards that make a ring (default 4). */
  readonly minSweepCards: number;
  /** Days with a multi-card sweep that make a card a core card (default 2). */
  readonly minSweepDays: number;
  /**
   * Visits on each side of a sweep from which the terminal's own traffic is measured (default 20): at a busy town
   * ATM strangers queue minutes apart all day, so a sweep must be denser than its terminal around it.
   */
  readonly backgroundVisits: number;
  /** Poisson p-value below which a sweep's cards are more than the background explains (default 1e-4). */
  readonly densityPValue: number;
}

export const DEFAULT_CO_USE_OPTIONS: CoUseOptions = {
  visitGapMs: 10 * 60_000,
  sweepGapMs: 3 * 60_000,
  minSweepCards: 4,
  minSweepDays: 2,
  backgroundVisits: 20,
  densityPValue: 1e-4,
};

export interface Sweep {
  readonly terminalId: string;
  readonly start: EpochMs;
  readonly end: EpochMs;
  /** Distinct cards, in the order first used. */
  readonly cards: readonly string[];
  readonly withdrawnFen: number;
}

export interface DetectedRing {
  readonly ringId: string;
  /** card → sweeps it was seen in, and whether it is core or attached. */
  readonly cards: ReadonlyMap<string, { readonly sweeps: number; readonly membership: 'core' | 'attached' }>;
  readonly sweeps: readonly Sweep[];
  readonly terminals: readonly string[];
  readonly firstTs: EpochMs;
  readonly lastTs: EpochMs;
  readonly nightSweeps: number;
  readonly withdrawnFen: number;
  /** Co-use edges between the ring's cards: times swept one after the other. */
  readonly edges: readonly { readonly a: string; readonly b: string; readonly times: number }[];
}

export interface CoUseResult {
  readonly uses: number;
  readonly visits: number;
  readonly multiCardSweeps: number;
  /** Multi-card sweeps no denser than their terminal's traffic around them (a queue at a busy machine). */
  readonly backgroundSweeps: number;
  readonly rings: readonly DetectedRing[];
}

export interface CoUseDetector {
  /** Adds uses in (terminal, time, event id) order, batch after batch. */
  add(batch: readonly TerminalUse[]): void;
  finish(): CoUseResult;
}

interface Visit {
  card: string;
  start: EpochMs;
  end: EpochMs;
  withdrawnFen: number;
}

interface OpenSweep {
  terminalId: string;
  start: EpochMs;
  end: EpochMs;
  cards: string[];
  seen: Set<string>;
  withdrawnFen: number;
}

/** True when a sweep starting at `ts` started at night in Asia/Shanghai (21:00-05:00). */
export function isNight(ts: EpochMs): boolean {
  const hour = Math.floor(((((ts + SHANGHAI_OFFSET_MS) % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);
  return hour >= 21 || hour < 5;
}

/** A stable id from the ring's core cards (hashed: no card number in it). */
export function ringIdOf(coreCards: readonly string[]): string {
  const digest = createHash('sha256')
    .update([...coreCards].sort().join(','))
    .digest('hex');
  return `ring-${digest.slice(0, 12)}`;
}

/**
 * A streaming co-use detector: memory holds one open visit and sweep per terminal and the multi-card sweeps.
 * @example
 * const detector = createCoUseDetector();
 * for await (const batch of store.readTerminalUse()) detector.add(batch);
 * const { rings } = detector.finish();
 */
export function createCoUseDetector(options: Partial<CoUseOptions> = {}): CoUseDetector {
  const o: CoUseOptions = { ...DEFAULT_CO_USE_OPTIONS, ...options };
  const sweeps: Sweep[] = [];
  let uses = 0;
  let visits = 0;
  let backgroundSweeps = 0;
  let terminal: string | undefined;
  let visit: Visit | undefined;
  let sweep: OpenSweep | undefined;
  // The current terminal's visit starts (in order) and its candidate sweeps, judged when the terminal ends.
  let starts: number[] = [];
  let candidates: Sweep[] = [];

  const closeSweep = () => {
    if (sweep !== undefined && sweep.cards.length >= o.minSweepCards) {
      candidates.push({
        terminalId: sweep.terminalId,
        start: sweep.start,
        end: sweep.end,
        cards: sweep.cards,
        withdrawnFen: sweep.withdrawnFen,
      });
    }
    sweep = undefined;
  };
  const closeVisit = () => {
    if (visit === undefined || terminal === undefined) return;
    visits++;
    starts.push(visit.start);
    if (sweep === undefined || visit.start - sweep.end > o.sweepGapMs) {
      closeSweep();
      sweep = {
        terminalId: terminal,
        start: visit.start,
        end: visit.end,
        cards: [],
        seen: new Set(),
        withdrawnFen: 0,
      };
    }
    if (!sweep.seen.has(visit.card)) {
      sweep.seen.add(visit.card);
      sweep.cards.push(visit.card);
    }
    sweep.end = Math.max(sweep.end, visit.end);
    sweep.withdrawnFen += visit.withdrawnFen;
    visit = undefined;
  };
  /** Keeps the terminal's sweeps that are denser than its own traffic around them. */
  const closeTerminal = () => {
    closeVisit();
    closeSweep();
    for (const candidate of candidates) {
      if (isDense(candidate, starts, o)) sweeps.push(candidate);
      else backgroundSweeps++;
    }
    starts = [];
    candidates = [];
  };

  return {
    add(batch) {
      for (const use of batch) {
        uses++;
        if (use.terminalId !== terminal) {
          closeTerminal();
          terminal = use.terminalId;
        }
        if (visit !== undefined && visit.card === use.card && use.ts - visit.end <= o.visitGapMs) {
          visit.end = use.ts;
          visit.withdrawnFen += use.withdrawnFen;
          continue;
        }
        closeVisit();
        visit = { card: use.card, start: use.ts, end: use.ts, withdrawnFen: use.withdrawnFen };
      }
    },
    finish() {
      closeTerminal();
      return { uses, visits, multiCardSweeps: sweeps.length, backgroundSweeps, rings: findRings(sweeps, o) };
    },
  };
}

/** Index of the first value ≥ x in a sorted array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether a sweep holds more cards than the terminal's own traffic around it explains. The background rate is
 * measured on each side from the `backgroundVisits` nearest visits outside the sweep (however long they took to
 * come), and the busier side is used, so a queue at the opening of a busy day is measured against the busy hours
 * after it. The Poisson tail of the sweep's cards at that rate over its length must be below `densityPValue`.
 * A night sweep at an idle machine passes at once.
 */
export function isDense(sweep: Sweep, visitStarts: readonly number[], o: CoUseOptions): boolean {
  const span = sweep.end - sweep.start + o.sweepGapMs;
  const first = lowerBound(visitStarts, sweep.start);
  const after = lowerBound(visitStarts, sweep.end + 1);
  const rates: number[] = [];
  const from = Math.max(0, first - o.backgroundVisits);
  if (first > from) rates.push((first - from) / Math.max(sweep.start - visitStarts[from]!, o.sweepGapMs));
  const to = Math.min(visitStarts.length, after + o.backgroundVisits);
  if (to > after) rates.push((to - after) / Math.max(visitStarts[to - 1]! - sweep.end, o.sweepGapMs));
  const expected = (rates.length === 0 ? 0 : Math.max(...rates)) * span;
  return poissonUpperTail(sweep.cards.length, expected) < o.densityPValue;
}

function findRings(sweeps: readonly Sweep[], o: CoUseOptions): DetectedRing[] {
  // Days on which each card was in a multi-card sweep.
  const days = new Map<string, Set<string>>();
  const sweepsOf = new Map<string, number>();
  for (const s of sweeps) {
    const day = shanghaiDate(s.start);
    for (const card of s.cards) {
      let set = days.get(card);
      if (set === undefined) {
        set = new Set();
        days.set(card, set);
      }
      set.add(day);
      sweepsOf.set(card, (sweepsOf.get(card) ?? 0) + 1);
    }
  }
  const isCore = (card: string) => (days.get(card)?.size ?? 0) >= o.minSweepDays;

  const graph = new UndirectedGraph<{ readonly card?: never }, { times: number }>({ allowSelfLoops: false });
  for (const s of sweeps) {
    let previous: string | undefined;
    for (const card of s.cards) {
      if (!isCore(card)) continue;
      graph.mergeNode(card);
      if (previous !== undefined) {
        graph.updateEdge(previous, card, (attributes) => ({ times: (attributes.times ?? 0) + 1 }));
      }
      previous = card;
    }
  }
  const components = connectedComponents(graph).filter((c) => c.length >= o.minSweepCards);
  const ringOf = new Map<string, number>();
  components.forEach((cards, index) => {
    for (const card of cards) ringOf.set(card, index);
  });

  const ringSweeps = components.map(() => [] as Sweep[]);
  const attached = components.map(() => new Set<string>());
  for (const s of sweeps) {
    const votes = new Map<number, number>();
    for (const card of s.cards) {
      const ring = ringOf.get(card);
      if (ring !== undefined) votes.set(ring, (votes.get(ring) ?? 0) + 1);
    }
    for (const [ring, count] of votes) {
      ringSweeps[ring]!.push(s);
      // A single-day card joins only a sweep the ring's core cards dominate, and only between them: a stranger
      // queueing before or after the ring at a busy machine has a stranger (or nobody) on one side.
      if (count * 2 < s.cards.length) continue;
      s.cards.forEach((card, i) => {
        if (ringOf.has(card) || isCore(card)) return;
        const neighbours = [s.cards[i - 1], s.cards[i + 1]].filter((c): c is string => c !== undefined);
        if (neighbours.length > 0 && neighbours.every((c) => ringOf.get(c) === ring))
          attached[ring]!.add(card);
      });
    }
  }

  return components.map((core, index) => {
    const list = ringSweeps[index]!;
    const cards = new Map<string, { sweeps: number; membership: 'core' | 'attached' }>();
    for (const card of core) cards.set(card, { sweeps: sweepsOf.get(card) ?? 0, membership: 'core' });
    for (const card of attached[index]!)
      cards.set(card, { sweeps: sweepsOf.get(card) ?? 0, membership: 'attached' });
    const edges: { a: string; b: string; times: number }[] = [];
    const inRing = new Set(core);
    graph.forEachEdge((_edge, attributes, a, b) => {
      if (inRing.has(a)) edges.push({ a, b, times: attributes.times });
    });
    return {
      ringId: ringIdOf(core),
      cards,
      sweeps: list,
      terminals: [...new Set(list.map((s) => s.terminalId))].sort(),
      firstTs: list.reduce((min, s) => Math.min(min, s.start), Number.POSITIVE_INFINITY),
      lastTs: list.reduce((max, s) => Math.max(max, s.end), Number.NEGATIVE_INFINITY),
      nightSweeps: list.filter((s) => isNight(s.start)).length,
      withdrawnFen: list.reduce((sum, s) => sum + s.withdrawnFen, 0),
      edges,
    };
  });
}

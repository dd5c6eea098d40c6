import { z } from 'zod';
import type { CardEvent } from '../../records/schemas.js';
import {
  beneficiariesOf,
  type Detector,
  type DetectorEnvironment,
  type Emit,
  isInHours,
  MINUTE,
  shanghaiHour,
} from '../detector.js';
import { createExpiringMap, sweepIntervalFor } from '../expiring-map.js';
import {
  createSlidingWindow,
  createWindowPool,
  type SlidingWindow,
  type SlidingWindowState,
} from '../sliding-window.js';
import { CARD_USE, clockTime, compileFilter, eventFilterParams } from './common.js';

/**
 * The Hengnan alarm: many different cards at one terminal within minutes of each other (one person feeding a
 * machine card after card), or many cards in one switch session.
 */
export const multiCardSessionParams = z
  .object({
    /** Distinct cards counted over a sliding window of this length. */
    windowMinutes: z.number().positive().default(30),
    /** Fire at this many distinct cards in the window. 2-3 cards (a couple, a village agent) never fire. */
    minCards: z.int().min(2).default(5),
    /** A pause longer than this at the terminal ends the run of cards (a queue that thins out). */
    maxGapMinutes: z.number().positive().default(10),
    /** Strength rises from 0.6 at minCards to 1 at this many cards. */
    saturationCards: z.int().min(2).default(12),
    /** Night hours [from, to) in Asia/Shanghai add `nightBonus` to the strength. */
    nightFromHour: z.int().min(0).max(23).default(22),
    nightToHour: z.int().min(0).max(23).default(6),
    nightBonus: z.number().min(0).max(1).default(0.2),
    /** Also count distinct cards per switch session_id (when the switch gives one session to several cards). */
    bySession: z.boolean().default(true),
    ...{
      eventTypes: eventFilterParams.eventTypes.default([...CARD_USE, 'card_inserted']),
      channels: eventFilterParams.channels.default(['atm', 'pos']),
      includeDeclined: eventFilterParams.includeDeclined.default(true),
    },
  })
  .strict();
export type MultiCardSessionParams = z.infer<typeof multiCardSessionParams>;

interface TerminalState {
  window: SlidingWindow;
  firing: boolean;
}

interface SessionState {
  lastTs: number;
  cards: string[];
  ids: string[];
  firing: boolean;
}

interface Snapshot {
  terminals: [string, { window: SlidingWindowState; firing: boolean }, number][];
  sessions: [string, SessionState, number][];
}

export function createMultiCardSession(
  id: string,
  params: MultiCardSessionParams,
  env: DetectorEnvironment,
): Detector {
  const windowMs = params.windowMinutes * MINUTE;
  const maxGapMs = params.maxGapMinutes * MINUTE;
  const accepts = compileFilter(params);
  const windows = createWindowPool(windowMs);
  // The states of terminals that went quiet, for the next ones (with a window from the pool).
  const spareStates: TerminalState[] = [];
  const terminals = createExpiringMap<TerminalState>(sweepIntervalFor(Math.max(windowMs, maxGapMs)), (t) => {
    windows.give(t.window);
    if (spareStates.length < 1024) spareStates.push(t);
  });
  const sessions = createExpiringMap<SessionState>(sweepIntervalFor(windowMs));

  function strength(distinct: number, ts: number): number {
    const span = Math.max(1, params.saturationCards - params.minCards);
    let s = 0.6 + 0.4 * Math.min(1, (distinct - params.minCards) / span);
    if (isInHours(shanghaiHour(ts), params.nightFromHour, params.nightToHour)) s += params.nightBonus;
    return Math.min(1, Math.round(s * 1000) / 1000);
  }

  function night(ts: number): string {
    return isInHours(shanghaiHour(ts), params.nightFromHour, params.nightToHour) ? ', at night' : '';
  }

  function onTerminal(event: CardEvent, terminalId: string, emit: Emit): void {
    let state = terminals.getAndTouch(terminalId, event.ts);
    if (state === undefined) {
      state = spareStates.pop();
      if (state === undefined) state = { window: windows.take(), firing: false };
      else {
        state.window = windows.take();
        state.firing = false;
      }
      terminals.touch(terminalId, state, event.ts);
    } else if (event.ts - state.window.lastTs > maxGapMs) {
      state.window.clear();
      state.firing = false;
    }
    const isNew = state.window.add(event.ts, event.card, event.eventId);
    const distinct = state.window.distinct;
    if (distinct < params.minCards) {
      state.firing = false;
      return;
    }
    const ids = state.window.eventIds();
    const reason =
      `${distinct} different cards used at terminal ${terminalId} within ${params.windowMinutes} minutes ` +
      `(run of cards at most ${params.maxGapMinutes} minutes apart, last at ${clockTime(event.ts)}${night(event.ts)})`;
    if (!state.firing) {
      state.firing = true;
      emit({
        detectorId: id,
        ts: event.ts,
        entities: { terminal: terminalId },
        strength: strength(distinct, event.ts),
        reason,
        evidence: ids,
        beneficiaryIds: beneficiariesOf(env.reference, state.window.keys()),
      });
      return;
    }
    emit({
      detectorId: id,
      ts: event.ts,
      entities: { terminal: terminalId },
      strength: strength(distinct, event.ts),
      reason,
      evidence: [event.eventId],
      beneficiaryIds: isNew ? beneficiariesOf(env.reference, [event.card]) : [],
    });
  }

  function onSession(event: CardEvent, key: string, emit: Emit): void {
    let state = sessions.get(key);
    // A session idle for longer than the window starts afresh (the same rule whether or not it was expired).
    if (state === undefined || event.ts - state.lastTs > windowMs) {
      state = { lastTs: event.ts, cards: [], ids: [], firing: false };
    }
    state.lastTs = event.ts;
    sessions.touch(key, state, event.ts);
    state.ids.push(event.eventId);
    const isNew = !state.cards.includes(event.card);
    if (isNew) state.cards.push(event.card);
    if (state.cards.length < params.minCards) return;
    const reason = `${state.cards.length} different cards in one session at terminal ${event.terminalId ?? '?'}${night(event.ts)}`;
    emit({
      detectorId: id,
      ts: event.ts,
      entities: { session: key },
      strength: strength(state.cards.length, event.ts),
      reason,
      evidence: state.firing ? [event.eventId] : [...state.ids],
      beneficiaryIds: state.firing
        ? isNew
          ? beneficiariesOf(env.reference, [event.card])
          : []
        : beneficiariesOf(env.reference, state.cards),
    });
    state.firing = true;
  }

  return {
    id,
    onEvent(event, emit) {
      const terminalId = event.terminalId;
      if (terminalId === undefined || !accepts(event)) return;
      onTerminal(event, terminalId, emit);
      if (params.bySession && event.sessionId !== undefined) {
        onSession(event, `${terminalId}/${event.sessionId}`, emit);
      }
    },
    expire(watermark) {
      // A terminal idle for longer than both the window and the gap has nothing that can count again.
      terminals.expire(watermark - Math.max(windowMs, maxGapMs));
      sessions.expire(watermark - windowMs);
    },
    snapshot(): Snapshot {
      return {
        terminals: terminals
          .snapshot()
          .map(([k, s, at]) => [k, { window: s.window.snapshot(), firing: s.firing }, at]),
        sessions: sessions.snapshot(),
      };
    },
    restore(state) {
      const s = state as Snapshot;
      terminals.restore(
        s.terminals.map(([k, t, at]) => [
          k,
          { window: createSlidingWindow(windowMs, t.window), firing: t.firing },
          at,
        ]),
      );
      sessions.restore(s.sessions);
    },
    stateSize: () => terminals.size + sessions.size,
  };
}

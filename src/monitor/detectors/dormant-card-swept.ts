import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import { formatYuan } from '../../core/money.js';
import { shanghaiDate } from '../../core/time.js';
import type { CardEvent } from '../../records/schemas.js';
import { DAY, type Detector, type DetectorEnvironment, type Emit, HOUR } from '../detector.js';
import { sweepIntervalFor } from '../expiring-map.js';
import type { CardReference } from '../ports.js';
import { ALL_CHANNELS, cardAndTerminal, compileFilter, eventFilterParams, MONEY_OUT } from './common.js';

/**
 * A card with no activity for months, emptied right after a pension credit: someone who collects for many
 * people visits each card only when money has arrived.
 */
export const dormantCardSweptParams = z
  .object({
    /** No event on the card for at least this long (and the stream has run at least this long). */
    dormantDays: z.int().min(1).default(180),
    /** The withdrawal comes within this many days after a pension credit to the card. */
    sweepWithinDays: z.number().positive().default(3),
    eventTypes: eventFilterParams.eventTypes.default([...MONEY_OUT]),
    channels: eventFilterParams.channels.default([...ALL_CHANNELS]),
    includeDeclined: eventFilterParams.includeDeclined.default(false),
  })
  .strict();
export type DormantCardSweptParams = z.infer<typeof dormantCardSweptParams>;

interface Snapshot {
  streamStart: number | null;
  lastSeen: [string, number][];
}

/** The latest payment time at or before `ts` and not before `from`, by binary search. */
function creditBetween(times: readonly number[], from: number, ts: number): number | undefined {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= ts) lo = mid + 1;
    else hi = mid;
  }
  const candidate = times[lo - 1];
  return candidate !== undefined && candidate >= from ? candidate : undefined;
}

export function createDormantCardSwept(
  id: string,
  params: DormantCardSweptParams,
  env: DetectorEnvironment,
): Detector {
  const accepts = compileFilter(params);
  const dormantMs = params.dormantDays * DAY;
  const sweepMs = params.sweepWithinDays * DAY;
  const sweepEvery = sweepIntervalFor(dormantMs);
  let lastSweep = Number.NEGATIVE_INFINITY;
  let streamStart: number | undefined;
  // The last event per card. With a card table: by the card's number, beside the card's facts (NaN: none), one
  // read of memory the other detectors have just touched instead of a look-up in a 200,000-entry map. Without: a
  // map of mutable cells. Either way a card without an entry has been idle for at least dormantMs.
  const table = env.cards;
  const lastAt = env.cardColumn();
  let tracked = 0;
  const lastSeen = new Map<string, { at: number }>();

  function fire(event: CardEvent, ref: CardReference, emit: Emit): void {
    const credit = creditBetween(ref.paymentTimes, event.ts - sweepMs, event.ts);
    if (credit === undefined) return;
    const hours = Math.round((event.ts - credit) / HOUR);
    const amount = event.amountFen !== undefined ? ` of ¥${formatYuan(event.amountFen)}` : '';
    emit({
      detectorId: id,
      ts: event.ts,
      entities: cardAndTerminal(event),
      strength: 1,
      reason: `card ${maskCardNumber(event.card)} unused for at least ${params.dormantDays} days, then a ${event.type}${amount} ${hours} hours after the pension credit of ${shanghaiDate(credit)}`,
      evidence: [event.eventId],
      beneficiaryIds: ref.beneficiaries.map((b) => b.beneficiaryId),
    });
  }

  return {
    id,
    onEvent(event, emit) {
      streamStart ??= event.ts;
      let last: number | undefined;
      if (lastAt !== undefined) {
        // A card the roll does not know never receives a pension credit, so it can never fire: no state for it.
        const i = env.cardIndex;
        if (i < 0) return;
        const at = lastAt.get(i);
        if (Number.isNaN(at)) tracked++;
        else last = at;
        lastAt.set(i, event.ts);
        if (!accepts(event)) return;
        const idleSince = last ?? streamStart;
        if (event.ts - idleSince < dormantMs) return;
        fire(event, table!.references[i]!, emit);
        return;
      }
      const ref = env.reference.card(event.card);
      if (ref === undefined) return;
      const cell = lastSeen.get(event.card);
      last = cell?.at;
      if (cell === undefined) lastSeen.set(event.card, { at: event.ts });
      else cell.at = event.ts;
      if (!accepts(event)) return;
      const idleSince = last ?? streamStart;
      if (event.ts - idleSince < dormantMs) return;
      fire(event, ref, emit);
    },
    expire(watermark) {
      const before = watermark - dormantMs;
      if (before - lastSweep < sweepEvery) return;
      lastSweep = before;
      if (lastAt !== undefined) {
        for (let i = 0; i < table!.size; i++) {
          if (lastAt.get(i) < before) {
            lastAt.set(i, Number.NaN);
            tracked--;
          }
        }
        return;
      }
      lastSeen.forEach((cell, card) => {
        if (cell.at < before) lastSeen.delete(card);
      });
    },
    snapshot: (): Snapshot => {
      const out: [string, number][] = [];
      if (lastAt !== undefined) {
        for (let i = 0; i < table!.size; i++) {
          const at = lastAt.get(i);
          if (!Number.isNaN(at)) out.push([table!.cards[i]!, at]);
        }
      } else {
        lastSeen.forEach((cell, card) => {
          out.push([card, cell.at]);
        });
      }
      return { streamStart: streamStart ?? null, lastSeen: out };
    },
    restore(state) {
      const s = state as Snapshot;
      streamStart = s.streamStart ?? undefined;
      lastSeen.clear();
      if (lastAt !== undefined) {
        for (let i = 0; i < table!.size; i++) lastAt.set(i, Number.NaN);
        tracked = 0;
        // A card the roll no longer knows can never fire again: nothing to keep for it.
        for (const [card, at] of s.lastSeen) {
          const i = table!.indexOf(card);
          if (i < 0) continue;
          if (Number.isNaN(lastAt.get(i))) tracked++;
          lastAt.set(i, at);
        }
        return;
      }
      for (const [card, at] of s.lastSeen) lastSeen.set(card, { at });
    },
    stateSize: () => (lastAt !== undefined ? tracked : lastSeen.size),
  };
}

import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import type { Detector, DetectorEnvironment } from '../detector.js';
import type { CardReference } from '../ports.js';
import { cardAndTerminal, compileFilter, currentReference, eventFilterParams, MONEY_OUT } from './common.js';

/**
 * Withdrawals in another prefecture (or province) than the holder's region. Weak alone: many rural pensioners
 * live with their children in a city. The default rules use it only to strengthen other signals.
 */
export const farFromHomeParams = z
  .object({
    /** `prefecture`: the first 4 digits of the region codes differ; `province`: the first 2 differ. */
    level: z.enum(['prefecture', 'province']).default('prefecture'),
    provinceStrength: z.number().min(0).max(1).default(1),
    prefectureStrength: z.number().min(0).max(1).default(0.7),
    eventTypes: eventFilterParams.eventTypes.default([...MONEY_OUT]),
    channels: eventFilterParams.channels.default(['atm', 'pos', 'counter']),
    includeDeclined: eventFilterParams.includeDeclined.default(false),
  })
  .strict();
export type FarFromHomeParams = z.infer<typeof farFromHomeParams>;

export function createFarFromHome(id: string, params: FarFromHomeParams, env: DetectorEnvironment): Detector {
  const accepts = compileFilter(params);
  const digits = params.level === 'province' ? 2 : 4;
  return {
    id,
    onEvent(event, emit) {
      const region = event.terminalRegion;
      if (region === undefined || !accepts(event)) return;
      let home: string | undefined;
      let regionCount: number | undefined;
      let ref: CardReference | undefined;
      const cards = env.cards;
      if (cards !== undefined) {
        // By the card's number: the facts without a look at the reference (needed only if it fires).
        const i = env.cardIndex;
        if (i < 0) return;
        regionCount = cards.regionCount(i);
        if (regionCount === 1) home = cards.firstRegion(i)!;
      } else {
        // Without a card table (a ReferenceData that is not an index): the beneficiaries are walked below.
        ref = env.reference.card(event.card);
        if (ref === undefined) return;
      }
      if (regionCount === 0) return;
      if (regionCount === 1) {
        // One holder with a region (most cards): the loop below, without walking the beneficiaries.
        if (samePrefix(home!, region, digits)) return;
      } else {
        ref ??= currentReference(env, event.card)!;
        for (const b of ref.beneficiaries) {
          const r = b.regionCode;
          if (r === undefined) continue;
          // Any holder living in the terminal's area explains the withdrawal.
          if (samePrefix(r, region, digits)) return;
          home ??= r;
        }
      }
      if (home === undefined) return;
      const otherProvince = !samePrefix(home, region, 2);
      emit({
        detectorId: id,
        ts: event.ts,
        entities: cardAndTerminal(event),
        strength: otherProvince ? params.provinceStrength : params.prefectureStrength,
        reason: `${event.type} on card ${maskCardNumber(event.card)} in region ${region}, another ${otherProvince ? 'province' : 'prefecture'} than the holder's (${home})`,
        evidence: [event.eventId],
        beneficiaryIds: (ref ?? currentReference(env, event.card)!).beneficiaries.map((b) => b.beneficiaryId),
      });
    },
    expire() {},
    snapshot: () => null,
    restore() {},
    stateSize: () => 0,
  };
}

/** `a.slice(0, n) === b.slice(0, n)` without making the two slices (this runs on every withdrawal). */
function samePrefix(a: string, b: string, n: number): boolean {
  const la = Math.min(a.length, n);
  if (la !== Math.min(b.length, n)) return false;
  for (let k = 0; k < la; k++) if (a.charCodeAt(k) !== b.charCodeAt(k)) return false;
  return true;
}

import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import type { Detector, DetectorEnvironment } from '../detector.js';
import { ALL_CHANNELS, compileFilter, currentReference, eventFilterParams, MONEY_OUT } from './common.js';

/** A card that several beneficiaries' pensions are paid to: one collector behind several "pensioners". */
export const cardSharedParams = z
  .object({
    /** Fire at this many beneficiaries on one card. A couple sharing a card (2) does not fire. */
    minBeneficiaries: z.int().min(2).default(3),
    /** Strength 0.6 at minBeneficiaries, +0.2 for each more, up to 1. */
    eventTypes: eventFilterParams.eventTypes.default([...MONEY_OUT]),
    channels: eventFilterParams.channels.default([...ALL_CHANNELS]),
    includeDeclined: eventFilterParams.includeDeclined.default(false),
  })
  .strict();
export type CardSharedParams = z.infer<typeof cardSharedParams>;

export function createCardSharedByBeneficiaries(
  id: string,
  params: CardSharedParams,
  env: DetectorEnvironment,
): Detector {
  const accepts = compileFilter(params);
  return {
    id,
    onEvent(event, emit) {
      if (!accepts(event)) return;
      const cards = env.cards;
      // With a card table, the count is read by the card's number: no look at its reference (most cards).
      if (cards !== undefined) {
        const i = env.cardIndex;
        if (i < 0 || cards.beneficiaryCount(i) < params.minBeneficiaries) return;
      }
      const ref = currentReference(env, event.card);
      if (ref === undefined) return;
      if (ref.beneficiaries.length < params.minBeneficiaries) return;
      const ids = ref.beneficiaries.map((b) => b.beneficiaryId);
      const n = ids.length;
      emit({
        detectorId: id,
        ts: event.ts,
        entities: { card: event.card },
        strength: Math.min(1, Math.round((0.6 + 0.2 * (n - params.minBeneficiaries)) * 1000) / 1000),
        reason: `card ${maskCardNumber(event.card)} receives the pensions of ${n} beneficiaries (${ids.slice(0, 10).join(', ')}${n > 10 ? ', …' : ''})`,
        evidence: [event.eventId],
        beneficiaryIds: ids,
      });
    },
    expire() {},
    snapshot: () => null,
    restore() {},
    stateSize: () => 0,
  };
}

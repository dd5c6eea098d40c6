import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import { shanghaiDate } from '../../core/time.js';
import { DAY, type Detector, type DetectorEnvironment } from '../detector.js';
import {
  ALL_CHANNELS,
  CARD_USE,
  compileFilter,
  currentReference,
  eventFilterParams,
  mayConcernTheDead,
} from './common.js';

/**
 * Activity on a card that became a benefit's card shortly before, or after, the beneficiary's death: the
 * account change that lets a collector receive a dead person's pension.
 */
export const cardChangedNearDeathParams = z
  .object({
    /** A change this many days before the death counts (after the death always counts). */
    withinDaysBeforeDeath: z.int().min(0).default(90),
    afterDeathStrength: z.number().min(0).max(1).default(1),
    beforeDeathStrength: z.number().min(0).max(1).default(0.7),
    eventTypes: eventFilterParams.eventTypes.default([...CARD_USE]),
    channels: eventFilterParams.channels.default([...ALL_CHANNELS]),
    includeDeclined: eventFilterParams.includeDeclined.default(true),
  })
  .strict();
export type CardChangedNearDeathParams = z.infer<typeof cardChangedNearDeathParams>;

export function createCardChangedNearDeath(
  id: string,
  params: CardChangedNearDeathParams,
  env: DetectorEnvironment,
): Detector {
  const accepts = compileFilter(params);
  const beforeMs = params.withinDaysBeforeDeath * DAY;
  return {
    id,
    onEvent(event, emit) {
      if (!accepts(event) || !mayConcernTheDead(env)) return;
      const ref = currentReference(env, event.card);
      // No beneficiary of the card believed dead (most cards): nothing to look at.
      if (ref === undefined || ref.allAliveAndActive === true) return;
      for (const b of ref.beneficiaries) {
        const death = b.believedDeadSince;
        if (death === undefined) continue;
        for (const change of b.accountChanges ?? []) {
          if (change.newCard !== event.card || change.at > event.ts || change.at < death - beforeMs) continue;
          const after = change.at >= death;
          const by = change.handlerId !== undefined ? ` by handler ${change.handlerId}` : '';
          emit({
            detectorId: id,
            ts: event.ts,
            entities: { card: event.card, beneficiary: b.beneficiaryId },
            strength: after ? params.afterDeathStrength : params.beforeDeathStrength,
            reason:
              `card ${maskCardNumber(event.card)} was made the pension card of ${b.beneficiaryId} on ` +
              `${shanghaiDate(change.at)}${by}, ${after ? 'after' : `within ${params.withinDaysBeforeDeath} days before`} ` +
              `the death (${shanghaiDate(death)}), and is in use (${event.type})`,
            evidence: [event.eventId],
            beneficiaryIds: [b.beneficiaryId],
          });
          return;
        }
      }
    },
    expire() {},
    snapshot: () => null,
    restore() {},
    stateSize: () => 0,
  };
}

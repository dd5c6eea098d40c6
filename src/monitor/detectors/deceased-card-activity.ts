import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import { shanghaiDate } from '../../core/time.js';
import { DAY, type Detector, type DetectorEnvironment } from '../detector.js';
import { statusAt } from '../ports.js';
import {
  ALL_CHANNELS,
  CARD_USE,
  compileFilter,
  currentReference,
  dateTime,
  eventFilterParams,
  mayConcernTheDead,
} from './common.js';

/**
 * Activity on a card whose holder is believed dead (from death matching) or whose benefit is suspended or
 * terminated: someone else holds the card.
 */
export const deceasedCardActivityParams = z
  .object({
    /** Days after the day of death before activity counts (a relative settling the funeral, a late record). */
    graceDays: z.int().min(0).default(0),
    /** Also fire when the benefit was suspended or terminated at the time of the event. */
    includeSuspended: z.boolean().default(true),
    confirmedStrength: z.number().min(0).max(1).default(1),
    reviewStrength: z.number().min(0).max(1).default(0.8),
    suspendedStrength: z.number().min(0).max(1).default(0.7),
    /** Multiplier when another beneficiary paid to the same card is alive and active (a widow's shared card). */
    sharedWithLivingFactor: z.number().min(0).max(1).default(0.5),
    eventTypes: eventFilterParams.eventTypes.default([...CARD_USE]),
    channels: eventFilterParams.channels.default([...ALL_CHANNELS]),
    includeDeclined: eventFilterParams.includeDeclined.default(true),
  })
  .strict();
export type DeceasedCardActivityParams = z.infer<typeof deceasedCardActivityParams>;

export function createDeceasedCardActivity(
  id: string,
  params: DeceasedCardActivityParams,
  env: DetectorEnvironment,
): Detector {
  const accepts = compileFilter(params);
  const graceMs = (params.graceDays + 1) * DAY;
  return {
    id,
    onEvent(event, emit) {
      if (!accepts(event) || !mayConcernTheDead(env)) return;
      const ref = currentReference(env, event.card);
      if (ref === undefined || ref.allAliveAndActive === true) return;
      let best = 0;
      let why = '';
      let subject: string | undefined;
      let livingActive = false;
      for (const b of ref.beneficiaries) {
        const dead = b.believedDeadSince !== undefined && event.ts >= b.believedDeadSince + graceMs;
        const status = statusAt(b, event.ts);
        if (dead) {
          const s = b.deathEvidence === 'confirmed' ? params.confirmedStrength : params.reviewStrength;
          if (s > best) {
            best = s;
            subject = b.beneficiaryId;
            why = `beneficiary ${b.beneficiaryId} is believed dead since ${shanghaiDate(b.believedDeadSince!)} (${b.deathEvidence ?? 'review'})`;
          }
        } else if (params.includeSuspended && status !== 'active') {
          if (params.suspendedStrength > best) {
            best = params.suspendedStrength;
            subject = b.beneficiaryId;
            why = `the benefit of ${b.beneficiaryId} is ${status} at the time`;
          }
        } else if (b.believedDeadSince === undefined && status === 'active') {
          livingActive = true;
        }
      }
      if (subject === undefined || best <= 0) return;
      if (livingActive) {
        best *= params.sharedWithLivingFactor;
        why += '; another, living beneficiary is paid to the same card';
      }
      const where = event.terminalId !== undefined ? ` at ${event.terminalId}` : ` (${event.channel})`;
      emit({
        detectorId: id,
        ts: event.ts,
        entities:
          event.terminalId !== undefined
            ? { card: event.card, beneficiary: subject, terminal: event.terminalId }
            : { card: event.card, beneficiary: subject },
        strength: Math.round(best * 1000) / 1000,
        reason: `${event.type} on card ${maskCardNumber(event.card)}${where} on ${dateTime(event.ts)}: ${why}`,
        evidence: [event.eventId],
        beneficiaryIds: [subject],
      });
    },
    expire() {},
    snapshot: () => null,
    restore() {},
    stateSize: () => 0,
  };
}

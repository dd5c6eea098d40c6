import { z } from 'zod';
import { maskCardNumber } from '../../core/card-number.js';
import type { Detector, DetectorEnvironment } from '../detector.js';
import { compileFilter, eventFilterParams, MONEY_OUT } from './common.js';

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
      const ref = env.reference.card(event.card);
      if (ref === undefined) return;
      let home: string | undefined;
      for (const b of ref.beneficiaries) {
        const r = b.regionCode;
        if (r === undefined) continue;
        // Any holder living in the terminal's area explains the withdrawal.
        if (r.slice(0, digits) === region.slice(0, digits)) return;
        home ??= r;
      }
      if (home === undefined) return;
      const otherProvince = home.slice(0, 2) !== region.slice(0, 2);
      emit({
        detectorId: id,
        ts: event.ts,
        entities:
          event.terminalId !== undefined
            ? { card: event.card, terminal: event.terminalId }
            : { card: event.card },
        strength: otherProvince ? params.provinceStrength : params.prefectureStrength,
        reason: `${event.type} on card ${maskCardNumber(event.card)} in region ${region}, another ${otherProvince ? 'province' : 'prefecture'} than the holder's (${home})`,
        evidence: [event.eventId],
        beneficiaryIds: ref.beneficiaries.map((b) => b.beneficiaryId),
      });
    },
    expire() {},
    snapshot: () => null,
    restore() {},
    stateSize: () => 0,
  };
}

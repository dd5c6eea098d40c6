import { type CalendarDate, startOfShanghaiDay } from '../../core/time.js';
import type { LoadedReferenceData } from '../ports.js';
import { createReferenceIndex } from '../reference-index.js';
import { cardNumber, TRAFFIC_CARDS } from './generate-events.js';

/** Reference data for the generated traffic: every card on the roll, a pension credited on the 10th, 1% dead. */
export function trafficReference(): LoadedReferenceData {
  const index = createReferenceIndex();
  const paydays: number[] = [];
  for (let m = 0; m < 30; m++) {
    const year = 2019 + Math.floor((m + 6) / 12);
    const month = ((m + 6) % 12) + 1;
    paydays.push(startOfShanghaiDay(`${year}-${month < 10 ? '0' : ''}${month}-10` as CalendarDate));
  }
  for (let i = 0; i < TRAFFIC_CARDS; i++) {
    const beneficiaryId = `B${i}`;
    index.addBeneficiary({ beneficiaryId, regionCode: '430422', card: cardNumber(i) });
    for (const at of paydays) index.addPayment({ beneficiaryId, at });
    if (i % 100 === 7) index.addDeath({ beneficiaryId, since: paydays[3]!, evidence: 'confirmed' });
  }
  return index.build();
}

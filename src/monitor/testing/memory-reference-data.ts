import type { CardBeneficiary, CardReference, ReferenceData } from '../ports.js';

/**
 * An in-memory ReferenceData built from plain objects.
 * @example
 * const reference = createMemoryReferenceData({
 *   '6217001234567890123': { beneficiaries: [{ beneficiaryId: 'B1', regionCode: '430422' }], paymentTimes: [] },
 * });
 */
export function createMemoryReferenceData(
  cards: Readonly<
    Record<string, { beneficiaries: readonly CardBeneficiary[]; paymentTimes?: readonly number[] }>
  > = {},
): ReferenceData & { set(card: string, reference: CardReference): void } {
  const map = new Map<string, CardReference>();
  for (const [card, ref] of Object.entries(cards)) {
    map.set(card, {
      beneficiaries: ref.beneficiaries,
      paymentTimes: [...(ref.paymentTimes ?? [])].sort((a, b) => a - b),
    });
  }
  return {
    card: (card) => map.get(card),
    set: (card, reference) => {
      map.set(card, reference);
    },
  };
}

import type { EpochMs } from '../core/time.js';
import type { BenefitStatus } from '../records/enums.js';
import { internCard } from './event-line.js';
import type {
  AccountChangeAt,
  CardBeneficiary,
  CardReference,
  LoadedReferenceData,
  StatusAt,
} from './ports.js';

/**
 * Builds the monitor's in-memory ReferenceData from plain facts (the store feeds it rows from the roll, the
 * account and status changes, the payments and death matching's findings, in any order), then `build()`s the
 * card → reference map the detectors look up synchronously.
 * @example
 * const index = createReferenceIndex();
 * index.addBeneficiary({ beneficiaryId: 'B1', regionCode: '430422', card: '6217…' });
 * index.addPayment({ beneficiaryId: 'B1', card: undefined, at: startOfShanghaiDay('2021-01-10') });
 * const reference = index.build(); reference.card('6217…') // { beneficiaries: [...], paymentTimes: [...] }
 */
export interface ReferenceIndex {
  addBeneficiary(b: {
    beneficiaryId: string;
    regionCode?: string | undefined;
    card?: string | undefined;
  }): void;
  addAccountChange(change: { beneficiaryId: string } & AccountChangeAt): void;
  addStatusChange(change: { beneficiaryId: string; at: EpochMs; status: BenefitStatus }): void;
  /** A pension credit; `card` undefined means "the beneficiary's card at that time". */
  addPayment(payment: { beneficiaryId: string; card?: string | undefined; at: EpochMs }): void;
  addDeath(death: { beneficiaryId: string; since: EpochMs; evidence: 'confirmed' | 'review' }): void;
  build(): LoadedReferenceData;
}

/**
 * A card reference as the index builds it: with facts precomputed for the detectors that look at every event, so
 * that the common card costs them no walk over its beneficiaries (other ReferenceData may lack them: the detectors
 * then walk the beneficiaries as before).
 */
export interface IndexedCardReference extends CardReference {
  /** `beneficiaries.length`. */
  readonly beneficiaryCount?: number;
  /** How many beneficiaries have a region code, and the first of them. */
  readonly regionCount?: number;
  readonly firstRegion?: string | undefined;
}

interface Holder {
  beneficiaryId: string;
  regionCode: string | undefined;
  card: string | undefined;
  statusChanges: StatusAt[];
  accountChanges: AccountChangeAt[];
  believedDeadSince: EpochMs | undefined;
  deathEvidence: 'confirmed' | 'review' | undefined;
  payments: { card: string | undefined; at: EpochMs }[];
}

export function createReferenceIndex(): ReferenceIndex {
  const holders = new Map<string, Holder>();
  const holder = (beneficiaryId: string): Holder => {
    let h = holders.get(beneficiaryId);
    if (h === undefined) {
      h = {
        beneficiaryId,
        regionCode: undefined,
        card: undefined,
        statusChanges: [],
        accountChanges: [],
        believedDeadSince: undefined,
        deathEvidence: undefined,
        payments: [],
      };
      holders.set(beneficiaryId, h);
    }
    return h;
  };

  // One string per region code (a county has a few dozen): every card's reference points at the same few.
  const regions = new Map<string, string>();
  const region = (code: string): string => {
    let known = regions.get(code);
    if (known === undefined) {
      known = code;
      regions.set(code, code);
    }
    return known;
  };

  /** The card the benefit was paid to at an instant: the latest change before it, else the first old card. */
  function cardAt(h: Holder, at: EpochMs): string | undefined {
    let card: string | undefined = h.accountChanges[0]?.oldCard ?? h.card;
    for (const change of h.accountChanges) {
      if (change.at > at) break;
      card = change.newCard;
    }
    return card ?? h.card;
  }

  return {
    addBeneficiary(b) {
      const h = holder(b.beneficiaryId);
      h.regionCode = b.regionCode === undefined ? undefined : region(b.regionCode);
      h.card = b.card;
    },
    addAccountChange({ beneficiaryId, ...change }) {
      holder(beneficiaryId).accountChanges.push(change);
    },
    addStatusChange({ beneficiaryId, at, status }) {
      holder(beneficiaryId).statusChanges.push({ at, status });
    },
    addPayment({ beneficiaryId, card, at }) {
      holder(beneficiaryId).payments.push({ card, at });
    },
    addDeath({ beneficiaryId, since, evidence }) {
      const h = holder(beneficiaryId);
      h.believedDeadSince = since;
      h.deathEvidence = evidence;
    },
    build() {
      const byCard = new Map<string, { beneficiaries: CardBeneficiary[]; times: Set<number> }>();
      const entry = (card: string) => {
        let e = byCard.get(card);
        if (e === undefined) {
          e = { beneficiaries: [], times: new Set() };
          byCard.set(card, e);
        }
        return e;
      };
      for (const h of holders.values()) {
        h.accountChanges.sort((a, b) => a.at - b.at);
        h.statusChanges.sort((a, b) => a.at - b.at);
        const cards = new Set<string>();
        if (h.card !== undefined) cards.add(h.card);
        for (const c of h.accountChanges) {
          cards.add(c.newCard);
          if (c.oldCard !== undefined) cards.add(c.oldCard);
        }
        for (const card of cards) {
          const changes = h.accountChanges.filter((c) => c.newCard === card || c.oldCard === card);
          entry(card).beneficiaries.push({
            beneficiaryId: h.beneficiaryId,
            regionCode: h.regionCode,
            believedDeadSince: h.believedDeadSince,
            deathEvidence: h.deathEvidence,
            statusChanges: h.statusChanges.length > 0 ? h.statusChanges : undefined,
            accountChanges: changes.length > 0 ? changes : undefined,
          });
        }
        for (const p of h.payments) {
          const card = p.card ?? cardAt(h, p.at);
          if (card !== undefined) entry(card).times.add(p.at);
        }
      }
      const map = new Map<string, IndexedCardReference>();
      for (const [card, e] of byCard) {
        let regionCount = 0;
        let firstRegion: string | undefined;
        for (const b of e.beneficiaries) {
          if (b.regionCode === undefined) continue;
          regionCount++;
          firstRegion ??= b.regionCode;
        }
        map.set(internCard(card), {
          beneficiaries: e.beneficiaries,
          paymentTimes: [...e.times].sort((a, b) => a - b),
          allAliveAndActive: e.beneficiaries.every(
            (b) => b.believedDeadSince === undefined && b.statusChanges === undefined,
          ),
          beneficiaryCount: e.beneficiaries.length,
          regionCount,
          firstRegion,
        });
      }
      const beneficiaries = holders.size;
      holders.clear();
      return { card: (card) => map.get(card), cards: map.size, beneficiaries };
    },
  };
}

import type { EpochMs } from '../core/time.js';
import type { BenefitStatus } from '../records/enums.js';
import { internCard } from './event-line.js';
import type {
  AccountChangeAt,
  CardBeneficiary,
  CardReference,
  LoadedReferenceData,
  ReferenceData,
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
 * The cards of an indexed reference, numbered densely (0 … size - 1), with the facts the detectors read on every
 * event in typed arrays: the engine resolves an event's card to its number once (the replay hands it over from
 * the reading thread's dictionary), and the detectors then read one byte or one number of a compact array instead
 * of looking the card up in a 200,000-entry map and touching its reference object (each a cache miss). The
 * table never changes once built, so facts may be held by number for as long as the reference is used.
 * @example
 * const table = cardTableOf(reference); // undefined for a ReferenceData that is not an index
 * const i = table.indexOf('6217…');      // -1: a card the roll does not know
 * if (i >= 0 && table.allAliveAndActive(i)) { … }
 */
export interface CardTable {
  readonly size: number;
  /** The card's number, -1 for a card the roll does not know. */
  indexOf(card: string): number;
  /** The card numbers (interned: the strings `internCard` gives), by number. */
  readonly cards: readonly string[];
  readonly references: readonly CardReference[];
  /** The card's reference says `allAliveAndActive`. */
  allAliveAndActive(index: number): boolean;
  beneficiaryCount(index: number): number;
  /** How many beneficiaries of the card have a region code: 0, 1, or 2 for two or more. */
  regionCount(index: number): 0 | 1 | 2;
  /** The region code of the first beneficiary that has one. */
  firstRegion(index: number): string | undefined;
  /** The facts above, packed: two numbers per card (see `build`), for `createCardRows`. */
  readonly packedFacts: Int32Array;
  readonly regionCodes: readonly (string | undefined)[];
}

/** A number per card (NaN: none), by card number: a detector's per-card state. */
export interface CardColumn {
  get(index: number): number;
  set(index: number, value: number): void;
}

/**
 * One engine's rows of per-card data: a copy of the table's facts and, beside them in the same 16 bytes (one cache
 * line), one number column for a detector's per-card state. A detector that reads a card's facts and its own state
 * then misses the cache once per event, not twice. Further columns are separate arrays.
 * @example
 * const rows = createCardRows(table);
 * const lastSeen = rows.column();      // NaN for every card
 * rows.view.allAliveAndActive(i);      // the table's facts, read from the rows
 */
export function createCardRows(table: CardTable): { view: CardTable; column(): CardColumn } {
  const n = table.size;
  const buffer = new ArrayBuffer(n * 16);
  const numbers = new Float64Array(buffer);
  const facts = new Int32Array(buffer);
  const packed = table.packedFacts;
  for (let i = 0; i < n; i++) {
    facts[4 * i] = packed[2 * i]!;
    facts[4 * i + 1] = packed[2 * i + 1]!;
    numbers[2 * i + 1] = Number.NaN;
  }
  const regionCodes = table.regionCodes;
  let besideTaken = false;
  return {
    view: {
      size: n,
      indexOf: (card) => table.indexOf(card),
      cards: table.cards,
      references: table.references,
      allAliveAndActive: (i) => (facts[4 * i + 1]! & 1) === 1,
      beneficiaryCount: (i) => facts[4 * i]!,
      regionCount: (i) => ((facts[4 * i + 1]! >> 1) & 3) as 0 | 1 | 2,
      firstRegion: (i) => regionCodes[facts[4 * i + 1]! >> 3],
      packedFacts: packed,
      regionCodes,
    },
    column() {
      if (!besideTaken) {
        besideTaken = true;
        return {
          get: (i) => numbers[2 * i + 1]!,
          set: (i, value) => {
            numbers[2 * i + 1] = value;
          },
        };
      }
      const values = new Float64Array(n).fill(Number.NaN);
      return {
        get: (i) => values[i]!,
        set: (i, value) => {
          values[i] = value;
        },
      };
    },
  };
}

const CARD_TABLE = Symbol('cardTable');

/** The card table of a reference built by `createReferenceIndex`, undefined for any other ReferenceData. */
export function cardTableOf(reference: ReferenceData): CardTable | undefined {
  return (reference as { [CARD_TABLE]?: CardTable })[CARD_TABLE];
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
      const beneficiaries = holders.size;
      holders.clear();
      const numbers = new Map<string, number>();
      const cards: string[] = [];
      const references: CardReference[] = [];
      const n = byCard.size;
      // Two numbers per card, side by side (one cache line for all the facts of a card): the beneficiary count,
      // then allAliveAndActive (bit 0), min(regionCount, 2) (bits 1-2) and the first region's number (bits 3-),
      // regionCount being how many beneficiaries have a region code and the first region the first of them.
      const facts = new Int32Array(2 * n);
      const regionNumbers = new Map<string | undefined, number>([[undefined, 0]]);
      const regionCodes: (string | undefined)[] = [undefined];
      for (const [card, e] of byCard) {
        let regionCount = 0;
        let firstRegion: string | undefined;
        for (const b of e.beneficiaries) {
          if (b.regionCode === undefined) continue;
          regionCount++;
          firstRegion ??= b.regionCode;
        }
        const allAliveAndActive = e.beneficiaries.every(
          (b) => b.believedDeadSince === undefined && b.statusChanges === undefined,
        );
        const i = cards.length;
        const interned = internCard(card);
        numbers.set(interned, i);
        cards.push(interned);
        references.push({
          beneficiaries: e.beneficiaries,
          paymentTimes: [...e.times].sort((a, b) => a - b),
          allAliveAndActive,
        });
        let r = regionNumbers.get(firstRegion);
        if (r === undefined) {
          r = regionCodes.length;
          regionNumbers.set(firstRegion, r);
          regionCodes.push(firstRegion);
        }
        facts[2 * i] = e.beneficiaries.length;
        facts[2 * i + 1] = (allAliveAndActive ? 1 : 0) | (Math.min(regionCount, 2) << 1) | (r << 3);
      }
      const table: CardTable = {
        size: n,
        indexOf: (card) => numbers.get(card) ?? -1,
        cards,
        references,
        allAliveAndActive: (i) => (facts[2 * i + 1]! & 1) === 1,
        beneficiaryCount: (i) => facts[2 * i]!,
        regionCount: (i) => ((facts[2 * i + 1]! >> 1) & 3) as 0 | 1 | 2,
        firstRegion: (i) => regionCodes[facts[2 * i + 1]! >> 3],
        packedFacts: facts,
        regionCodes,
      };
      return {
        card: (card) => {
          const i = numbers.get(card);
          return i === undefined ? undefined : references[i];
        },
        cards: n,
        beneficiaries,
        [CARD_TABLE]: table,
      } as LoadedReferenceData;
    },
  };
}

import { luhnCheckDigit } from '../core/card-number.js';
import { checkCharacter } from '../core/id-number.js';
import {
  addYears,
  ageOn,
  dateOf,
  dayOf,
  dayOfMonthIndex,
  daysInMonthIndex,
  monthIndexOf,
} from './calendar.js';
import { annualDeathProbability, monthlyDeathProbability } from './mortality.js';
import { createRng, type Rng, seedFor } from './prng.js';

/** When the simulated deaths begin (the 2016-2021 window); earlier deaths are not on the roll. */
export const SIMULATION_START = '2016-01-01';
/** When the county's residents' pension began enrolling (the national rollout reached Hengnan in 2010). */
export const SCHEME_START = '2010-07-01';

export type Sex = 'M' | 'F';
export type SchemeName = 'urban_employee' | 'urban_rural_resident';

/**
 * What is drawn for a beneficiary from their own random stream (seed, index): enough to know who dies when, so
 * that a quick first pass can count the ring's candidates before anything is written.
 */
export interface Core {
  readonly index: number;
  readonly sex: Sex;
  readonly birth: number;
  readonly scheme: SchemeName;
  readonly enrolled: number;
  readonly death: number | undefined;
  /** True when this person and the next one are a married couple. */
  readonly coupledWithNext: boolean;
}

export interface CoreParameters {
  readonly seed: number;
  readonly asOf: number;
  readonly coupleShare: number;
  readonly employeeShare: number;
}

/** Age at 1 January 2016 of the roll's people (the 55-59 band enrols as it turns 60). */
const AGE_BANDS: readonly (readonly [number, number, number])[] = [
  [55, 59, 0.1],
  [60, 64, 0.22],
  [65, 69, 0.21],
  [70, 74, 0.16],
  [75, 79, 0.12],
  [80, 84, 0.1],
  [85, 89, 0.06],
  [90, 94, 0.025],
  [95, 99, 0.005],
];

function drawAge(rng: Rng): number {
  let r = rng.next();
  for (const [from, to, weight] of AGE_BANDS) {
    if (r < weight) return from + rng.next() * (to - from + 1);
    r -= weight;
  }
  return 60 + rng.next() * 5;
}

/**
 * Draws one beneficiary's core. `partner` is the previous person when they form a couple with this one: the
 * spouse is of the other sex and of a similar age (husbands about three years older).
 */
export function drawCore(
  p: CoreParameters,
  index: number,
  partner: Core | undefined,
  pairStart: boolean,
): Core {
  const rng = createRng(seedFor(p.seed, 'core', index));
  const start = dayOf(SIMULATION_START);
  const latestBirth = addYears(p.asOf, -60) - 1;
  let sex: Sex;
  let birth: number;
  if (partner) {
    sex = partner.sex === 'M' ? 'F' : 'M';
    const gapYears = (sex === 'F' ? -3 : 3) + rng.normal() * 2.5;
    const wanted = Math.round(partner.birth - gapYears * 365.25);
    // A spouse too young for the roll is drawn from the last 400 days before turning 60, as the others are: clamped
    // to the one latest day, a 200k county put 1,200 people on one birth date, more than the 500 sequence numbers
    // an ID has per sex and day, so ID numbers repeated.
    birth = wanted <= latestBirth ? wanted : latestBirth - rng.int(0, 400);
  } else {
    const age = drawAge(rng);
    sex = rng.chance(Math.min(0.68, Math.max(0.48, 0.5 + 0.004 * (age - 60)))) ? 'F' : 'M';
    birth = Math.min(latestBirth - rng.int(0, 400), Math.round(start - age * 365.25));
  }
  const scheme: SchemeName = rng.chance(p.employeeShare * (sex === 'M' ? 1.3 : 0.7))
    ? 'urban_employee'
    : 'urban_rural_resident';
  const sixty = addYears(birth, 60);
  const schemeStart = dayOf(SCHEME_START);
  let enrolled: number;
  if (sixty <= schemeStart) {
    enrolled = rng.chance(0.8)
      ? schemeStart + rng.int(0, dayOf('2013-12-31') - schemeStart)
      : dayOf('2014-01-01') + rng.int(0, 729);
  } else {
    enrolled = sixty + rng.int(0, 60);
  }
  enrolled = Math.min(enrolled, p.asOf - 20);
  let death: number | undefined;
  const first = monthIndexOf(Math.max(start, enrolled));
  const last = monthIndexOf(p.asOf);
  for (let m = first; m <= last && death === undefined; m++) {
    const monthStart = dayOfMonthIndex(m, 1);
    const q = annualDeathProbability(ageOn(birth, monthStart), sex);
    if (rng.chance(monthlyDeathProbability(q))) {
      const from = Math.max(monthStart, enrolled + 1);
      const to = Math.min(monthStart + daysInMonthIndex(m) - 1, p.asOf);
      if (from <= to) death = rng.int(from, to);
    }
  }
  return {
    index,
    sex,
    birth,
    scheme,
    enrolled,
    death,
    coupledWithNext: pairStart && rng.chance(p.coupleShare),
  };
}

/**
 * The cores of one village, in order; couples are consecutive (an even position and the next one).
 * @example for (const core of villageCores(params, 0, 120)) …
 */
export function villageCores(p: CoreParameters, start: number, size: number): Core[] {
  const cores: Core[] = [];
  let partner: Core | undefined;
  for (let i = 0; i < size; i++) {
    const pairStart = i % 2 === 0 && i + 1 < size;
    const core = drawCore(p, start + i, partner, pairStart);
    cores.push(core);
    partner = core.coupledWithNext ? core : undefined;
  }
  return cores;
}

/**
 * Hands out resident ID numbers: region + birth date + a sequence whose parity is the sex + the check character.
 * Sequences are unique per region, birth date and sex (a counter from a hashed offset), so no two people share one.
 */
export function createIdIssuer() {
  const counters = new Map<string, number>();
  return (region: string, birth: number, sex: Sex): string => {
    const ymd = dateOf(birth).replace(/-/g, '');
    const key = `${region}${ymd}${sex}`;
    const count = counters.get(key) ?? 0;
    counters.set(key, count + 1);
    const offset = seedFor(0, key) % 500;
    const sequence = ((offset + count) % 500) * 2 + (sex === 'M' ? 1 : 0);
    const first17 = `${region}${ymd}${String(sequence).padStart(3, '0')}`;
    return first17 + checkCharacter(first17);
  };
}

/** The legacy 15-digit form of an 18-character ID number of someone born in the 1900s. */
export function legacyIdOf(id: string): string {
  return id.slice(0, 6) + id.slice(8, 17);
}

const CARD_BINS = ['621799', '622848', '621700', '623517'] as const;

/**
 * Issues Luhn-valid 19-digit social-security card numbers, unique for the run: the serial is a bijection of a
 * counter (multiplication by a number prime to 10^12), so numbers look random but never repeat.
 */
export function createCardIssuer(seed: number) {
  let counter = seedFor(seed, 'cards') % 1_000_000;
  return (): string => {
    counter++;
    const serial = (BigInt(counter) * 7_919_000_003n + 123_456_789n) % 1_000_000_000_000n;
    const bin = CARD_BINS[counter % CARD_BINS.length]!;
    const payload = bin + serial.toString().padStart(12, '0');
    return payload + luhnCheckDigit(payload);
  };
}

/** Mobile numbers of the 2010s (China Mobile/Unicom/Telecom prefixes). */
export function drawPhone(rng: Rng): string {
  const prefix = rng.pick([
    '130',
    '131',
    '133',
    '135',
    '136',
    '137',
    '138',
    '139',
    '150',
    '151',
    '152',
    '155',
    '158',
    '159',
    '180',
    '186',
    '187',
    '189',
  ]);
  return prefix + String(rng.int(0, 99_999_999)).padStart(8, '0');
}

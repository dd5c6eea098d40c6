import type { ChinaIdNumber, ChinaPerson } from './china-preset.js';
import type { AnyComparison } from './comparison.js';
import type { NameParts } from './comparisons/chinese-name.js';
import { IdLevel } from './comparisons/id-number.js';
import type { ModelParameters } from './model.js';
import { createModel } from './model.js';
import type { PreparedRecord } from './prepare-records.js';
import { type ComparedPairs, comparedFromPatternKeys, patternRadix } from './training.js';

/**
 * The China preset's records as rows of integers, for the hot loop: each record is prepared once (the preset's own
 * `prepare`), repeated strings are interned to ids so that an agreement is an integer compare, the ID's 18
 * characters are packed two per integer, and one record's fields sit side by side (a pair of random records costs
 * two or three cache lines, not one per field). Only a disagreement the ids cannot settle (similar pinyin, one
 * character different, Jaro-Winkler on addresses, the date levels) goes to the preset's comparison itself, so every
 * level is exactly the level `compare` gives. The rows can live in a SharedArrayBuffer, for worker threads.
 */

/** The comparisons' order in `chinaComparisons()`. */
const ID = 0;
const NAME = 1;
const BIRTH = 2;
const SEX = 3;
const REGION = 4;
const ADDRESS = 5;

/** How an ID number was written: decides "exact" versus "same after 15 to 18 conversion" without the text. */
const ID_MISSING = 0;
const ID_18 = 1;
/** 15 digits, converted to 18. */
const ID_15 = 2;
/** Any other length: compared as an interned string (exact or different). */
const ID_OTHER = 3;

/**
 * The records as one row of `STRIDE` 32-bit integers each (row-major: a pair reads two rows, one or two cache lines
 * each, rather than a dozen arrays): see the `F_*` offsets.
 */
export interface ChinaColumns {
  readonly size: number;
  readonly data: Int32Array;
}

/** idKind (bits 0–1) | valid ID (bit 2). */
const F_ID = 0;
/** Interned text of an ID_OTHER number, else -1. */
const F_ID_OTHER = 1;
/** Interned name characters (the name's id), -1 when missing. */
const F_NAME = 2;
/** Interned pinyin, -1 when missing. */
const F_PINYIN = 3;
/** Packed YYYYMMDD, -1 when missing. */
const F_BIRTH = 4;
/** Interned sex, -1 when missing. */
const F_SEX = 5;
/** The 6-digit region code as a number, -1 when missing. */
const F_REGION = 6;
/** Interned address, -1 when missing. */
const F_ADDRESS = 7;
/** The ID's 18 character codes, two per integer (ID_18 and ID_15). */
const F_ID_CHARS = 8;
const STRIDE = 17;

/** The interned values (plain data: structured-cloneable into workers). */
export interface ChinaDictionary {
  /** Name parts by name id. */
  readonly names: NameParts[];
  /** Pinyin by pinyin id. */
  readonly pinyins: string[];
  readonly addresses: string[];
  readonly sexes: string[];
  readonly otherIds: string[];
}

/** Interns strings to dense ids. */
class Interner {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

/** Entries of a `PairLevelCache`: 64 Ki pairs, 576 KiB, small enough to stay in the L2 cache for the most part. */
const PAIR_CACHE_BITS = 16;

/**
 * The level of a pure comparison of two non-negative integers (interned ids, packed dates), remembered per
 * (a, b) in a direct-mapped table: a repeated pair costs a hash and two integer compares; a collision evicts.
 */
class PairLevelCache {
  private readonly first = new Int32Array(1 << PAIR_CACHE_BITS).fill(-1);
  private readonly second = new Int32Array(1 << PAIR_CACHE_BITS);
  private readonly levels = new Uint8Array(1 << PAIR_CACHE_BITS);
  constructor(private readonly compare: (a: number, b: number) => number) {}
  level(a: number, b: number): number {
    const slot = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> (32 - PAIR_CACHE_BITS);
    if (this.first[slot] === a && this.second[slot] === b) return this.levels[slot]!;
    const level = this.compare(a, b);
    this.first[slot] = a;
    this.second[slot] = b;
    this.levels[slot] = level;
    return level;
  }
}

export interface ChinaEncoder {
  /** Prepares and encodes records; ids are shared by every call of the same encoder. */
  encode(persons: readonly ChinaPerson[], options?: { readonly shared?: boolean }): ChinaColumns;
  readonly dictionary: ChinaDictionary;
}

/**
 * Creates an encoder over the preset's comparisons (`chinaComparisons()`, in its order).
 * @example const encoder = createChinaEncoder(comparisons); const roll = encoder.encode(rollPersons);
 */
export function createChinaEncoder(comparisons: readonly AnyComparison<ChinaPerson>[]): ChinaEncoder {
  const names = new Interner();
  const nameParts: NameParts[] = [];
  const pinyins = new Interner();
  const addresses = new Interner();
  const sexes = new Interner();
  const otherIds = new Interner();
  const prepare = comparisons.map((c) => c.prepare);
  return {
    dictionary: {
      names: nameParts,
      pinyins: pinyins.values,
      addresses: addresses.values,
      sexes: sexes.values,
      otherIds: otherIds.values,
    },
    encode(persons, options = {}) {
      const n = persons.length;
      const bytes = n * STRIDE * 4;
      const data = new Int32Array(
        options.shared === true ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes),
      );
      for (let i = 0; i < n; i++) {
        const person = persons[i]!;
        const row = i * STRIDE;
        const id = prepare[ID]!(person) as ChinaIdNumber | undefined;
        const valid = id?.valid === true ? 4 : 0;
        data[row + F_ID_OTHER] = -1;
        if (id === undefined) data[row + F_ID] = ID_MISSING;
        else if (id.full.length === 18) {
          data[row + F_ID] = (id.text === id.full ? ID_18 : ID_15) | valid;
          for (let w = 0; w < 9; w++) {
            data[row + F_ID_CHARS + w] = id.full.charCodeAt(2 * w) | (id.full.charCodeAt(2 * w + 1) << 16);
          }
        } else {
          data[row + F_ID] = ID_OTHER | valid;
          data[row + F_ID_OTHER] = otherIds.id(id.text);
        }
        const name = prepare[NAME]!(person) as NameParts | undefined;
        if (name === undefined) {
          data[row + F_NAME] = -1;
          data[row + F_PINYIN] = -1;
        } else {
          const nameId = names.id(name.chars);
          if (nameId === nameParts.length) nameParts.push(name);
          data[row + F_NAME] = nameId;
          data[row + F_PINYIN] = pinyins.id(name.pinyin);
        }
        data[row + F_BIRTH] = prepare[BIRTH]!(person) as number;
        const sex = prepare[SEX]!(person) as string | undefined;
        data[row + F_SEX] = sex === undefined ? -1 : sexes.id(sex);
        const region = prepare[REGION]!(person) as string | undefined;
        data[row + F_REGION] = region === undefined ? -1 : Number(region);
        const address = prepare[ADDRESS]!(person) as string | undefined;
        data[row + F_ADDRESS] = address === undefined ? -1 : addresses.id(address);
      }
      const columns: ChinaColumns = { size: n, data };
      return columns;
    },
  };
}

/** Writes the six comparison levels of (left record i, right record j) into `out`. */
export type ChinaPairLevels = (
  left: ChinaColumns,
  i: number,
  right: ChinaColumns,
  j: number,
  out: Uint8Array,
) => void;

/** Character c (0–17) of the ID in the row at `offset`. */
const idChar = (data: Int32Array, offset: number, c: number): number =>
  (data[offset + F_ID_CHARS + (c >> 1)]! >>> (16 * (c & 1))) & 0xffff;

/** One comparison's level of (left record i, right record j). */
export type ChinaFieldLevel = (left: ChinaColumns, i: number, right: ChinaColumns, j: number) => number;

/**
 * Each comparison's level function over the columns, in the comparisons' order; each equals the preset
 * comparison's `compare` on the prepared values (tested).
 */
export function chinaFieldLevels(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  dictionary: ChinaDictionary,
): ChinaFieldLevel[] {
  const compareName = comparisons[NAME]!.compare as (a: NameParts, b: NameParts) => number;
  const compareBirth = comparisons[BIRTH]!.compare as (a: number, b: number) => number;
  const compareAddress = comparisons[ADDRESS]!.compare as (a: string, b: string) => number;
  const missing = comparisons.map((c) => c.levels.length - 1);
  const { names, addresses } = dictionary;
  // The string comparisons are pure functions of the interned values: the same (value, value) pairs recur across
  // blocks (a common name against its variants, a street against its neighbours), so their levels are remembered
  // in small direct-mapped tables.
  const nameCache = new PairLevelCache((a, b) => compareName(names[a]!, names[b]!));
  const addressCache = new PairLevelCache((a, b) => compareAddress(addresses[a]!, addresses[b]!));
  const birthLevelOf = birthDateLevels(compareBirth, comparisons[BIRTH]!.levels);
  const idLevel: ChinaFieldLevel = (left, i, right, j) => {
    const x = left.data;
    const y = right.data;
    const ox = i * STRIDE;
    const oy = j * STRIDE;
    const ka = x[ox + F_ID]! & 3;
    const kb = y[oy + F_ID]! & 3;
    if (ka === ID_MISSING || kb === ID_MISSING) return IdLevel.missing;
    if (ka === ID_OTHER || kb === ID_OTHER) {
      return ka === kb && x[ox + F_ID_OTHER] === y[oy + F_ID_OTHER] ? IdLevel.exact : IdLevel.different;
    }
    let differences = 0;
    let first = -1;
    let second = -1;
    // Two characters per word: a word that differs is looked at character by character, in order.
    for (let w = 0; w < 9 && differences < 3; w++) {
      const a = x[ox + F_ID_CHARS + w]!;
      const b = y[oy + F_ID_CHARS + w]!;
      if (a === b) continue;
      for (let h = 0; h < 2; h++) {
        if (((a >>> (16 * h)) & 0xffff) === ((b >>> (16 * h)) & 0xffff)) continue;
        differences++;
        if (differences === 1) first = 2 * w + h;
        else if (differences === 2) second = 2 * w + h;
        else break;
      }
    }
    // Same 18 characters: the same text when written alike (15→18 conversion is one-to-one), else converted.
    if (differences === 0) return ka === kb ? IdLevel.exact : IdLevel.converted;
    if (differences === 1) return first === 17 ? IdLevel.first17 : IdLevel.substitution;
    if (differences === 2 && second === first + 1 && idChar(x, ox, first) === idChar(y, oy, second)) {
      if (idChar(x, ox, second) === idChar(y, oy, first)) return IdLevel.transposition;
    }
    for (let c = 6; c < 14; c++) if (idChar(x, ox, c) !== idChar(y, oy, c)) return IdLevel.different;
    // The preset's rule: two valid numbers that differ only in the sequence are two people.
    return (x[ox + F_ID]! & 4) !== 0 && (y[oy + F_ID]! & 4) !== 0 ? IdLevel.different : IdLevel.birthDatePart;
  };
  const nameLevel: ChinaFieldLevel = (left, i, right, j) => {
    const na = left.data[i * STRIDE + F_NAME]!;
    const nb = right.data[j * STRIDE + F_NAME]!;
    if (na < 0 || nb < 0) return missing[NAME]!;
    if (na === nb) return 0;
    if (left.data[i * STRIDE + F_PINYIN] === right.data[j * STRIDE + F_PINYIN]) return 1;
    return nameCache.level(na, nb);
  };
  const birthLevel: ChinaFieldLevel = (left, i, right, j) => {
    const ba = left.data[i * STRIDE + F_BIRTH]!;
    const bb = right.data[j * STRIDE + F_BIRTH]!;
    return ba === bb && ba >= 0 ? 0 : birthLevelOf(ba, bb);
  };
  const sexLevel: ChinaFieldLevel = (left, i, right, j) => {
    const sa = left.data[i * STRIDE + F_SEX]!;
    const sb = right.data[j * STRIDE + F_SEX]!;
    return sa < 0 || sb < 0 ? missing[SEX]! : sa === sb ? 0 : 1;
  };
  const regionLevel: ChinaFieldLevel = (left, i, right, j) => {
    const ra = left.data[i * STRIDE + F_REGION]!;
    const rb = right.data[j * STRIDE + F_REGION]!;
    if (ra < 0 || rb < 0) return missing[REGION]!;
    if (ra === rb) return 0;
    // Fixed-width 6-digit codes: equal leading digits ⇔ equal quotients.
    if (Math.floor(ra / 10000) !== Math.floor(rb / 10000)) return 3;
    return Math.floor(ra / 100) === Math.floor(rb / 100) ? 1 : 2;
  };
  const addressLevel: ChinaFieldLevel = (left, i, right, j) => {
    const aa = left.data[i * STRIDE + F_ADDRESS]!;
    const ab = right.data[j * STRIDE + F_ADDRESS]!;
    if (aa < 0 || ab < 0) return missing[ADDRESS]!;
    if (aa === ab) return 0;
    return addressCache.level(aa, ab);
  };
  return [idLevel, nameLevel, birthLevel, sexLevel, regionLevel, addressLevel];
}

/**
 * The birth-date comparison with a shortcut for the commonest candidate pair of the name-and-year blocks: two
 * packed dates (8 digits) two or more years apart whose difference is not one digit's (k·10^p) cannot be swapped,
 * one digit different, in the same month or within a year (≤ 365 days; 2 years apart is ≥ 366 days), so they are
 * `different` without the calendar arithmetic. Any other pair goes to `compare` (equivalence tested).
 * @example const level = birthDateLevels(compare, comparison.levels); level(19500315, 19800315) // "different"
 */
export function birthDateLevels(
  compare: (a: number, b: number) => number,
  levels: readonly { readonly label: string }[],
): (a: number, b: number) => number {
  const found = levels.findIndex((l) => l.label === 'different');
  // A comparison whose "within" reaches past 365 days (two dates 366 days apart) gets no shortcut.
  const different = compare(19501231, 19520101) === found ? found : -1;
  return (a, b) => {
    if (different < 0 || a < 10_000_000 || b < 10_000_000 || a >= 100_000_000 || b >= 100_000_000) {
      return compare(a, b);
    }
    const years = Math.floor(a / 10000) - Math.floor(b / 10000);
    if (years < 2 && years > -2) return compare(a, b);
    let d = a > b ? a - b : b - a;
    while (d % 10 === 0) d /= 10;
    return d <= 9 ? compare(a, b) : different;
  };
}

/**
 * The levels of a pair, all six at once.
 * @example const levels = chinaPairLevels(comparisons, encoder.dictionary); levels(deaths, 0, roll, 5, out);
 */
export function chinaPairLevels(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  dictionary: ChinaDictionary,
): ChinaPairLevels {
  const [id, name, birth, sex, region, address] = chinaFieldLevels(comparisons, dictionary) as [
    ChinaFieldLevel,
    ChinaFieldLevel,
    ChinaFieldLevel,
    ChinaFieldLevel,
    ChinaFieldLevel,
    ChinaFieldLevel,
  ];
  return (left, i, right, j, out) => {
    out[ID] = id(left, i, right, j);
    out[NAME] = name(left, i, right, j);
    out[BIRTH] = birth(left, i, right, j);
    out[SEX] = sex(left, i, right, j);
    out[REGION] = region(left, i, right, j);
    out[ADDRESS] = address(left, i, right, j);
  };
}

/**
 * The columns seen through the `Comparison` interface, for code written against it (e.g. `estimateU` drawing a
 * million random pairs while training): each record's prepared value is its own index, and `compare(i, j)` reads
 * the columns of left record i and right record j.
 * @example const { comparisons, left, right } = comparisonsOverColumns(preset, dictionary, deaths, roll);
 */
export function comparisonsOverColumns(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  dictionary: ChinaDictionary,
  left: ChinaColumns,
  right: ChinaColumns,
): { comparisons: AnyComparison<number>[]; left: PreparedRecord[]; right: PreparedRecord[] } {
  const fields = chinaFieldLevels(comparisons, dictionary);
  const indexRecords = (n: number): PreparedRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      id: String(i),
      values: [i, i, i, i, i, i],
      tfValues: [],
      tf: NO_FREQUENCIES,
    }));
  return {
    comparisons: comparisons.map((c, k) => {
      const level = fields[k]!;
      return {
        name: c.name,
        levels: c.levels,
        prepare: (i: number) => i,
        compare: (i: unknown, j: unknown) => level(left, i as number, right, j as number),
      };
    }),
    left: indexRecords(left.size),
    right: indexRecords(right.size),
  };
}

const NO_FREQUENCIES = new Float64Array(0);

/**
 * Compares every candidate pair into patterns, as `comparePairs` does (same patterns in the same order of first
 * appearance), from the columns.
 * @example const compared = compareChinaPairs(levels, deaths, roll, candidates, comparisons);
 */
export function compareChinaPairs(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  levels: ChinaPairLevels,
  left: ChinaColumns,
  right: ChinaColumns,
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number },
): ComparedPairs {
  const keys = new Int32Array(pairs.count);
  chinaPatternKeys(comparisons, levels, left, right, pairs, 0, pairs.count, keys);
  return comparedFromPatternKeys(comparisons, keys);
}

/**
 * Each pair's levels as one integer, the pattern key (levels in mixed radix of the level counts), for pairs
 * `from` ≤ p < `to` into `keys[p]`: the part of `compareChinaPairs` a worker thread can do on its share.
 */
export function chinaPatternKeys(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  levels: ChinaPairLevels,
  left: ChinaColumns,
  right: ChinaColumns,
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array },
  from: number,
  to: number,
  keys: Int32Array,
): void {
  const K = comparisons.length;
  const radix = patternRadix(comparisons);
  const out = new Uint8Array(K);
  for (let p = from; p < to; p++) {
    levels(left, pairs.left[p]!, right, pairs.right[p]!, out);
    let key = 0;
    for (let k = 0; k < K; k++) key += out[k]! * radix[k]!;
    keys[p] = key;
  }
}

/** Name counts over the roll, by name id and by pinyin id (the term-frequency slots of the preset). */
export interface ChinaNameCounts {
  readonly chars: Float64Array;
  readonly pinyin: Float64Array;
  readonly charsTotal: number;
  readonly pinyinTotal: number;
}

/** Counts the roll's names by id: the term-frequency counts, as `countTermFrequencies` over the same records. */
export function countChinaNames(roll: ChinaColumns, dictionary: ChinaDictionary): ChinaNameCounts {
  const chars = new Float64Array(dictionary.names.length);
  const pinyin = new Float64Array(dictionary.pinyins.length);
  let total = 0;
  for (let i = 0; i < roll.size; i++) {
    const n = roll.data[i * STRIDE + F_NAME]!;
    if (n < 0) continue;
    chars[n]!++;
    pinyin[roll.data[i * STRIDE + F_PINYIN]!]!++;
    total++;
  }
  return { chars, pinyin, charsTotal: total, pinyinTotal: total };
}

/** The counts as the string-keyed tables a stored model keeps (slot 0 = name characters, slot 1 = pinyin). */
export function chinaNameCountsAsTables(
  counts: ChinaNameCounts,
  dictionary: ChinaDictionary,
): { counts: Map<string, number>[]; totals: number[] } {
  const chars = new Map<string, number>();
  counts.chars.forEach((c, id) => {
    if (c > 0) chars.set(dictionary.names[id]!.chars, c);
  });
  const pinyin = new Map<string, number>();
  counts.pinyin.forEach((c, id) => {
    if (c > 0) pinyin.set(dictionary.pinyins[id]!, c);
  });
  return { counts: [chars, pinyin], totals: [counts.charsTotal, counts.pinyinTotal] };
}

// As in model.ts: keeps log2(m/u) finite.
const PROBABILITY_FLOOR = 1e-9;

/** Scores pairs from their levels: a weight table per comparison, term frequency per name id. */
export interface ChinaScorer {
  readonly priorWeight: number;
  /**
   * The match weight of a pair at `levels`, summed in the order `Model.matchWeight` sums (so the two agree to the
   * bit): prior, then each comparison's weight and, at a term-frequency level, its adjustment.
   */
  weight(levels: Uint8Array, left: ChinaColumns, i: number, right: ChinaColumns, j: number): number;
}

/**
 * A scorer for the preset's model with the roll's name counts (a value not counted has frequency 1 / (total + 1)).
 * @example const scorer = createChinaScorer(comparisons, parameters, countChinaNames(roll, dictionary));
 */
export function createChinaScorer(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  parameters: ModelParameters,
  counts: ChinaNameCounts,
): ChinaScorer {
  const model = createModel(comparisons, parameters);
  const tfLevels = comparisons[NAME]!.termFrequency?.map((t) => t.level) ?? [];
  if (comparisons.some((c, k) => k !== NAME && c.termFrequency !== undefined)) {
    throw new Error('createChinaScorer: only the name comparison may carry term frequencies');
  }
  const u = parameters.comparisons[NAME]!.levels.map((l) => l.u);
  // frequency and adjustment per value id, for slot 0 (characters, at tfLevels[0]) and slot 1 (pinyin).
  const table = (c: Float64Array, total: number, level: number | undefined) => {
    const frequency = new Float64Array(c.length);
    const adjustment = new Float64Array(c.length);
    const unseen = 1 / (total + 1);
    const uLevel = level === undefined ? 1 : Math.max(u[level]!, PROBABILITY_FLOOR);
    for (let id = 0; id < c.length; id++) {
      const f = c[id]! > 0 ? c[id]! / total : unseen;
      frequency[id] = f;
      adjustment[id] = Math.log2(uLevel / Math.max(f, PROBABILITY_FLOOR));
    }
    return { frequency, adjustment };
  };
  const charsTable = table(counts.chars, counts.charsTotal, tfLevels[0]);
  const pinyinTable = table(counts.pinyin, counts.pinyinTotal, tfLevels[1]);
  const charsLevel = tfLevels[0] ?? -1;
  const pinyinLevel = tfLevels[1] ?? -1;
  const weights = model.weights;
  const K = comparisons.length;
  const priorWeight = model.priorWeight;
  const unseenChars = 1 / (counts.charsTotal + 1);
  const unseenPinyin = 1 / (counts.pinyinTotal + 1);
  // The adjustment of the more frequent of the two values (as `Model`); an id beyond the counted tables (a value
  // first seen after counting) is an unseen value.
  const adjust = (
    t: { frequency: Float64Array; adjustment: Float64Array },
    unseen: number,
    level: number,
    a: number,
    b: number,
  ): number => {
    const n = t.frequency.length;
    const fa = a < n ? t.frequency[a]! : unseen;
    const fb = b < n ? t.frequency[b]! : unseen;
    const id = fa >= fb ? a : b;
    return id < n
      ? t.adjustment[id]!
      : Math.log2(Math.max(u[level]!, PROBABILITY_FLOOR) / Math.max(unseen, PROBABILITY_FLOOR));
  };
  return {
    priorWeight,
    weight(levels, left, i, right, j) {
      let w = priorWeight;
      for (let k = 0; k < K; k++) {
        const level = levels[k]!;
        w += weights[k]![level]!;
        if (k !== NAME) continue;
        if (level === charsLevel) {
          const a = left.data[i * STRIDE + F_NAME]!;
          w += adjust(charsTable, unseenChars, level, a, right.data[j * STRIDE + F_NAME]!);
        } else if (level === pinyinLevel) {
          const a = left.data[i * STRIDE + F_PINYIN]!;
          w += adjust(pinyinTable, unseenPinyin, level, a, right.data[j * STRIDE + F_PINYIN]!);
        }
      }
      return w;
    },
  };
}

/**
 * Match weights of compared pairs: one table look-up per pattern, and per pair only where the pattern is at a
 * term-frequency level (as `scoreCompared`, from the columns).
 */
export function scoreChinaCompared(
  scorer: ChinaScorer,
  compared: ComparedPairs,
  left: ChinaColumns,
  right: ChinaColumns,
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number },
  tfLevels: readonly Uint8Array[],
): Float64Array {
  const K = compared.levelCounts.length;
  const patternWeight = new Float64Array(compared.size);
  const patternNeedsTf = new Uint8Array(compared.size);
  // One view per pattern, made once: a view per pair would allocate in the loop below.
  const patternLevels = Array.from({ length: compared.size }, (_, p) =>
    compared.patterns.subarray(p * K, p * K + K),
  );
  for (let p = 0; p < compared.size; p++) {
    const levels = patternLevels[p]!;
    for (let k = 0; k < K; k++) if (tfLevels[k]![levels[k]!] === 1) patternNeedsTf[p] = 1;
    // Without a term-frequency level the pair's columns are not read: any pair gives the pattern's weight.
    if (patternNeedsTf[p] === 0) patternWeight[p] = scorer.weight(levels, left, 0, right, 0);
  }
  const out = new Float64Array(pairs.count);
  for (let i = 0; i < pairs.count; i++) {
    const p = compared.pairPattern[i]!;
    out[i] =
      patternNeedsTf[p] === 1
        ? scorer.weight(patternLevels[p]!, left, pairs.left[i]!, right, pairs.right[i]!)
        : patternWeight[p]!;
  }
  return out;
}

/**
 * The batch's comparison and scoring over columns: encodes both sides once, compares the candidate pairs into
 * patterns (for training), and scores them with given parameters and the roll's name counts.
 * @example const columnar = chinaColumnarPairs(comparisons, deaths, roll, candidates); columnar.score(parameters);
 */
export function chinaColumnarPairs(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  left: readonly ChinaPerson[],
  right: readonly ChinaPerson[],
  pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number },
): ChinaColumnarPairs {
  const encoder = createChinaEncoder(comparisons);
  const rightColumns = encoder.encode(right);
  const counts = countChinaNames(rightColumns, encoder.dictionary);
  const leftColumns = encoder.encode(left);
  const levels = chinaPairLevels(comparisons, encoder.dictionary);
  const compared = compareChinaPairs(comparisons, levels, leftColumns, rightColumns, pairs);
  return chinaColumnarOver(comparisons, encoder.dictionary, {
    leftColumns,
    rightColumns,
    counts,
    pairs,
    compared,
  });
}

/** Compared candidate pairs over columns: the patterns (for training), and scoring with given parameters. */
export interface ChinaColumnarPairs {
  readonly compared: ComparedPairs;
  /** The comparisons and records to train on (`trainFromAnchors`), over the columns. */
  training(): ReturnType<typeof comparisonsOverColumns>;
  score(parameters: ModelParameters): Float64Array;
}

/** `chinaColumnarPairs` from columns already encoded and pairs already compared (e.g. by worker threads). */
export function chinaColumnarOver(
  comparisons: readonly AnyComparison<ChinaPerson>[],
  dictionary: ChinaDictionary,
  done: {
    readonly leftColumns: ChinaColumns;
    readonly rightColumns: ChinaColumns;
    readonly counts: ChinaNameCounts;
    readonly pairs: { readonly left: Uint32Array; readonly right: Uint32Array; readonly count: number };
    readonly compared: ComparedPairs;
  },
): ChinaColumnarPairs {
  const { leftColumns, rightColumns, counts, pairs, compared } = done;
  const tfLevels = comparisons.map((c) => {
    const flags = new Uint8Array(c.levels.length);
    for (const t of c.termFrequency ?? []) flags[t.level] = 1;
    return flags;
  });
  return {
    compared,
    training: () => comparisonsOverColumns(comparisons, dictionary, leftColumns, rightColumns),
    score: (parameters) =>
      scoreChinaCompared(
        createChinaScorer(comparisons, parameters, counts),
        compared,
        leftColumns,
        rightColumns,
        pairs,
        tfLevels,
      ),
  };
}

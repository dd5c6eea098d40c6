import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCharacter, convert15To18 } from '../../core/id-number.js';
import { chineseNameComparison, createNameNormaliser, foldWidth } from './chinese-name.js';
import {
  createDamerauLevenshtein,
  damerauLevenshtein,
  damerauLevenshteinComparison,
} from './damerau-levenshtein.js';
import { dateComparison, epochDayOf, parseCompactDate } from './date.js';
import { exactComparison } from './exact.js';
import { compareIdNumbers, IdLevel, idNumberComparison, prepareIdNumber } from './id-number.js';
import { createJaroWinkler, jaroWinkler, jaroWinklerComparison } from './jaro-winkler.js';
import { levenshtein, levenshteinComparison } from './levenshtein.js';
import { regionCodeComparison } from './region-code.js';

type Row = Record<string, string | undefined>;
const level = <P>(
  c: { prepare(r: Row): P; compare(a: P, b: P): number },
  a: string | undefined,
  b: string | undefined,
) => c.compare(c.prepare({ v: a }), c.prepare({ v: b }));
const labelOf = (
  c: {
    prepare(r: Row): unknown;
    compare(a: unknown, b: unknown): number;
    levels: readonly { label: string }[];
  },
  a: string | undefined,
  b: string | undefined,
) => c.levels[level(c, a, b)]!.label;

describe('exact', () => {
  const c = exactComparison<Row>({ name: 'v', value: (r) => r.v });
  it('has exact, different and missing levels', () => {
    expect(labelOf(c, 'nsw', 'nsw')).toBe('exact');
    expect(labelOf(c, 'nsw', 'vic')).toBe('different');
    expect(labelOf(c, 'nsw', undefined)).toBe('missing');
    expect(labelOf(c, ' ', 'vic')).toBe('missing');
    expect(c.levels[2]!.isNull).toBe(true);
  });
});

describe('Jaro-Winkler', () => {
  it('gives the textbook values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', '')).toBe(1);
  });
  it('is symmetric and within [0, 1] (property)', () => {
    const jw = createJaroWinkler();
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const x = jw(a, b);
        expect(x).toBe(jw(b, a));
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        if (a === b) expect(x).toBe(1);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
  it('never lets the early bound change a level (property)', () => {
    const jw = createJaroWinkler();
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'e'), maxLength: 12 });
    fc.assert(
      fc.property(text, text, fc.double({ min: 0.5, max: 1, noNaN: true }), (a, b, t) => {
        expect(jw(a, b, t) >= t).toBe(jw(a, b) >= t);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
  it('has a level per threshold', () => {
    const c = jaroWinklerComparison<Row>({ name: 'v', value: (r) => r.v, thresholds: [0.8, 0.92] });
    expect(c.levels.map((l) => l.label)).toEqual([
      'exact',
      'Jaro-Winkler >= 0.92',
      'Jaro-Winkler >= 0.8',
      'different',
      'missing',
    ]);
    expect(level(c, 'martha', 'martha')).toBe(0);
    expect(level(c, 'martha', 'marhta')).toBe(1);
    expect(level(c, 'dwayne', 'duane')).toBe(2);
    expect(level(c, 'martha', 'zzz')).toBe(3);
    expect(level(c, undefined, 'zzz')).toBe(4);
  });
});

describe('Levenshtein and Damerau-Levenshtein (OSA)', () => {
  it('computes distances', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('ab', 'ba')).toBe(2);
    expect(damerauLevenshtein('ab', 'ba')).toBe(1);
    expect(damerauLevenshtein('ca', 'abc')).toBe(3);
    expect(createDamerauLevenshtein()('abcdef', 'zzzzzz', 2)).toBe(3);
  });
  it('puts pairs into distance levels', () => {
    const lev = levenshteinComparison<Row>({ name: 'v', value: (r) => r.v, thresholds: [1, 2] });
    expect([level(lev, '1234', '1234'), level(lev, '1234', '1235'), level(lev, '1234', '2143')]).toEqual([
      0, 1, 3,
    ]);
    expect(level(lev, '1234', '1256')).toBe(2);
    expect(level(lev, '', '1256')).toBe(4);
    const dl = damerauLevenshteinComparison<Row>({ name: 'v', value: (r) => r.v, thresholds: [1, 2] });
    expect([level(dl, '1234', '1243'), level(dl, '1234', '2143'), level(dl, '1234', '9999')]).toEqual([
      1, 2, 3,
    ]);
  });
});

describe('dates', () => {
  const c = dateComparison<Row>({ name: 'v', value: (r) => r.v, digitTypo: true });
  it('has every level', () => {
    expect(labelOf(c, '1949-12-31', '19491231')).toBe('exact');
    expect(labelOf(c, '1950-03-04', '1950-04-03')).toBe('month and day swapped');
    expect(labelOf(c, '1950-03-04', '1950-03-05')).toBe('one digit different');
    expect(labelOf(c, '1950-03-04', '1950-03-27')).toBe('same year and month');
    expect(labelOf(c, '1950-03-04', '1949-11-20')).toBe('within a year');
    expect(labelOf(c, '1950-03-04', '1962-07-20')).toBe('different');
    expect(labelOf(c, '1950-03-04', undefined)).toBe('missing');
    expect(labelOf(c, 'not a date', '1950-03-04')).toBe('missing');
  });
  it('without the typo level, a one-digit difference falls to the next level', () => {
    const plain = dateComparison<Row>({ name: 'v', value: (r) => r.v });
    expect(labelOf(plain, '1950-03-04', '1950-03-05')).toBe('same year and month');
  });
  it('packs and counts days', () => {
    expect(parseCompactDate('2021/2/1')).toBe(20210201);
    expect(epochDayOf(19700101)).toBe(0);
    expect(epochDayOf(20000301) - epochDayOf(20000228)).toBe(2);
  });
});

describe('region codes', () => {
  const c = regionCodeComparison<Row>({ name: 'v', value: (r) => r.v });
  it('compares county, prefecture, province', () => {
    expect(labelOf(c, '430422', '430422')).toBe('same county');
    expect(labelOf(c, '430422', '430481')).toBe('same prefecture');
    expect(labelOf(c, '430422', '430100')).toBe('same province');
    expect(labelOf(c, '430422', '110105')).toBe('different');
    expect(labelOf(c, '4304', '430422')).toBe('missing');
  });
});

const ID = '11010519491231002X';
const withCheck = (first17: string) => first17 + checkCharacter(first17);
const idArbitrary = fc
  .tuple(
    fc.constantFrom('110105', '430422', '440303', '510104'),
    fc.integer({ min: 1930, max: 2005 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([region, y, m, d, seq]) =>
    withCheck(
      `${region}${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}${String(seq).padStart(3, '0')}`,
    ),
  );

describe('resident ID numbers', () => {
  const c = idNumberComparison<Row>({ name: 'id', value: (r) => r.v });
  it('has every level', () => {
    const legacy = '430422500315123';
    const full = convert15To18(legacy);
    expect(labelOf(c, ID, ID.toLowerCase())).toBe('exact');
    expect(labelOf(c, `１１０１０５１９４９１２３１００２Ｘ`, ID)).toBe('exact');
    expect(labelOf(c, legacy, full)).toBe('same after 15 to 18 conversion');
    expect(labelOf(c, '110105194912310021', ID)).toBe('first 17 equal');
    expect(labelOf(c, '11010519491231003X', ID)).toBe('one substitution');
    expect(labelOf(c, '11010519491231020X', ID)).toBe('adjacent transposition');
    expect(labelOf(c, '43042219491231555X', ID)).toBe('birth-date part equal');
    expect(labelOf(c, '430422195003151237', ID)).toBe('different');
    expect(labelOf(c, undefined, ID)).toBe('missing');
  });
  it('puts a generated substitution in the first 17 at "one substitution" (property)', () => {
    fc.assert(
      fc.property(
        idArbitrary,
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 1, max: 9 }),
        (id, at, shift) => {
          const digit = String((Number(id[at]) + shift) % 10);
          const typo = id.slice(0, at) + digit + id.slice(at + 1);
          expect(compareIdNumbers(prepareIdNumber(typo), prepareIdNumber(id))).toBe(IdLevel.substitution);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
  it('puts a wrong check character at "first 17 equal" (property)', () => {
    fc.assert(
      fc.property(idArbitrary, fc.constantFrom(...'0123456789X'), (id, check) => {
        fc.pre(check !== id[17]);
        expect(compareIdNumbers(prepareIdNumber(id.slice(0, 17) + check), prepareIdNumber(id))).toBe(
          IdLevel.first17,
        );
      }),
      { seed: 4, numRuns: 200 },
    );
  });
  it('puts a generated adjacent transposition at "adjacent transposition" (property)', () => {
    fc.assert(
      fc.property(idArbitrary, fc.integer({ min: 0, max: 16 }), (id, at) => {
        fc.pre(id[at] !== id[at + 1]);
        const typo = id.slice(0, at) + id[at + 1] + id[at] + id.slice(at + 2);
        expect(compareIdNumbers(prepareIdNumber(typo), prepareIdNumber(id))).toBe(IdLevel.transposition);
        expect(compareIdNumbers(prepareIdNumber(id), prepareIdNumber(typo))).toBe(IdLevel.transposition);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});

describe('Chinese names', () => {
  const normalise = createNameNormaliser();
  const c = chineseNameComparison<Row>({ name: 'name', value: (r) => normalise(r.v) });
  it('folds traditional characters, full width and spaces', () => {
    expect(labelOf(c, '王麗', '王丽')).toBe('exact');
    expect(labelOf(c, '王 丽', '王丽')).toBe('exact');
    expect(labelOf(c, '阿卜杜·热合曼', '阿卜杜热合曼')).toBe('exact');
    expect(foldWidth('ＡＢｃ　１')).toBe('abc1');
  });
  it('gives homophones their own level', () => {
    expect(labelOf(c, '王丽', '王莉')).toBe('same pinyin (homophone)');
    expect(labelOf(c, '张伟', '章伟')).toBe('same pinyin (homophone)');
  });
  it('reads surnames as surnames', () => {
    expect(normalise('单田芳')?.surnamePinyin).toBe('shan');
    expect(normalise('曾国藩')?.pinyin).toBe('zengguofan');
    expect(normalise('欧阳修')?.surnamePinyin).toBe('ouyang');
    expect(normalise('吕布')?.pinyin).toBe('lvbu');
  });
  it('has similar-pinyin, one-character and different levels', () => {
    expect(labelOf(c, '林秀英', '凌秀英')).toBe('similar pinyin');
    expect(labelOf(c, '王秀英', '王建英')).toBe('one character different');
    expect(labelOf(c, '王秀英', '李建国')).toBe('different');
    expect(labelOf(c, '王秀英', undefined)).toBe('missing');
  });
  it('adjusts exact and homophone agreement by frequency', () => {
    expect(c.termFrequency?.map((t) => t.level)).toEqual([0, 1]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCharacter } from '../core/id-number.js';
import {
  birthDateLevels,
  chinaNameCountsAsTables,
  chinaPairLevels,
  chinaPatternKeys,
  compareChinaPairs,
  comparisonsOverColumns,
  countChinaNames,
  createChinaEncoder,
  createChinaScorer,
} from './china-columns.js';
import { chinaComparisons, createPersonNormaliser, type PersonInput } from './china-preset.js';
import { createModel, type ModelParameters } from './model.js';
import { applyTermFrequencies, createRecordPreparer, termFrequencySlots } from './prepare-records.js';
import { termFrequencyTablesFromCounts } from './term-frequency-counts.js';
import { comparedFromPatternKeys, comparePairs, estimateU } from './training.js';

const valid = (first17: string) => first17 + checkCharacter(first17);

// Small alphabets, so that pairs agree, nearly agree and disagree on every field.
const person = fc.record({
  name: fc.option(
    fc.constantFrom('王丽', '王莉', '王力', '王丽丽', '李建国', '李建华', '欧阳明远', '王麗', ''),
    {
      nil: undefined,
    },
  ),
  idNumber: fc.option(
    fc.constantFrom(
      // valid numbers: the same birth-date part with two sequences, and a 15-digit one
      valid('43042219500315123'),
      valid('43042219500315456'),
      valid('43042219500315123').slice(0, 6) + valid('43042219500315123').slice(8, 17),
      '430422195003151237',
      '430422500315123',
      '430422195003151230',
      '430422195003151273',
      '430422195003152237',
      '430422195003159999',
      '430422196003151237',
      '12345',
      'ABCDEFGHIJKLMNOPQR',
      '４３０４２２１９５００３１５１２３７',
    ),
    { nil: undefined },
  ),
  sex: fc.option(fc.constantFrom('M' as const, 'F' as const), { nil: undefined }),
  birthDate: fc.option(
    fc.constantFrom(
      '1950-03-15',
      '1950-15-03',
      '1950-03-16',
      '1950-03-25',
      '1950-08-01',
      '1951-01-01',
      '1980-03-15',
    ),
    { nil: undefined },
  ),
  regionCode: fc.option(fc.constantFrom('430422', '430423', '430102', '110101', '4304', 'x'), {
    nil: undefined,
  }),
  address: fc.option(
    fc.constantFrom('湘潭县某镇12号', '湘潭县某镇21号', '湘潭縣某鎮12號', '长沙市五一路', ' '),
    {
      nil: undefined,
    },
  ),
});

/** Parameters with distinct weights per level (not trained: the check is arithmetic, not quality). */
function parameters(): ModelParameters {
  return {
    probabilityTwoRandomRecordsMatch: 1e-4,
    comparisons: chinaComparisons().map((c, k) => ({
      name: c.name,
      levels: c.levels.map((level, l) => ({
        label: level.label,
        isNull: level.isNull === true,
        m: level.isNull ? 1 : (c.levels.length - l) / 40 + k / 100,
        u: level.isNull ? 1 : (l + 1) / 50 + k / 300,
      })),
    })),
  };
}

describe('China columns', () => {
  it('give every pair the levels and the match weight of the preset comparisons and model (property)', () => {
    const comparisons = chinaComparisons();
    const model = createModel(comparisons, parameters());
    const slots = termFrequencySlots(comparisons);
    const normalise = createPersonNormaliser();
    fc.assert(
      fc.property(
        fc.array(person, { minLength: 1, maxLength: 8 }),
        fc.array(person, { minLength: 1, maxLength: 8 }),
        (deathInputs, rollInputs) => {
          const withId = (xs: typeof deathInputs, prefix: string) =>
            xs.map((x, i) => normalise({ ...x, id: `${prefix}${i}` } as PersonInput));
          const deaths = withId(deathInputs, 'D');
          const roll = withId(rollInputs, 'B');
          const encoder = createChinaEncoder(comparisons);
          const rollColumns = encoder.encode(roll);
          const counts = countChinaNames(rollColumns, encoder.dictionary);
          const deathColumns = encoder.encode(deaths);
          const scorer = createChinaScorer(comparisons, parameters(), counts);
          const levels = chinaPairLevels(comparisons, encoder.dictionary);

          const prepare = createRecordPreparer(comparisons, (p: { id: string }) => p.id);
          const rollPrepared = roll.map(prepare);
          const deathPrepared = deaths.map(prepare);
          const tables = termFrequencyTablesFromCounts(
            slots,
            chinaNameCountsAsTables(counts, encoder.dictionary),
          );
          applyTermFrequencies(tables, rollPrepared);
          applyTermFrequencies(tables, deathPrepared);

          const out = new Uint8Array(comparisons.length);
          const left: number[] = [];
          const right: number[] = [];
          deaths.forEach((_, i) => {
            roll.forEach((__, j) => {
              levels(deathColumns, i, rollColumns, j, out);
              const expected = comparisons.map((c, k) =>
                c.compare(deathPrepared[i]!.values[k], rollPrepared[j]!.values[k]),
              );
              expect([...out]).toEqual(expected);
              expect(scorer.weight(out, deathColumns, i, rollColumns, j)).toBe(
                model.matchWeight(deathPrepared[i]!, rollPrepared[j]!),
              );
              left.push(i);
              right.push(j);
            });
          });
          const pairs = { left: Uint32Array.from(left), right: Uint32Array.from(right), count: left.length };
          expect(compareChinaPairs(comparisons, levels, deathColumns, rollColumns, pairs)).toEqual(
            comparePairs(comparisons, deathPrepared, rollPrepared, pairs),
          );
          // Pattern keys written share by share (as worker threads do), in any order: the same patterns.
          const keys = new Int32Array(pairs.count);
          const half = pairs.count >> 1;
          chinaPatternKeys(comparisons, levels, deathColumns, rollColumns, pairs, half, pairs.count, keys);
          chinaPatternKeys(comparisons, levels, deathColumns, rollColumns, pairs, 0, half, keys);
          expect(comparedFromPatternKeys(comparisons, keys)).toEqual(
            comparePairs(comparisons, deathPrepared, rollPrepared, pairs),
          );
          // Random pairs for u, drawn through the Comparison interface over the columns: the same counts.
          const over = comparisonsOverColumns(comparisons, encoder.dictionary, deathColumns, rollColumns);
          const sample = { pairs: 50, seed: 3 };
          expect(estimateU(over.comparisons, over.left, over.right, sample)).toEqual(
            estimateU(comparisons, deathPrepared, rollPrepared, sample),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('give the birth-date comparison its own level for any two dates, shortcut or not', () => {
    const birth = chinaComparisons()[2]!;
    const compare = birth.compare as (a: number, b: number) => number;
    const level = birthDateLevels(compare, birth.levels);
    // Dates near one another, a digit apart, two years apart across a year end, swapped, not real days, or wider.
    const date = fc.oneof(
      fc.tuple(
        fc.integer({ min: 1948, max: 1954 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
      ),
      fc.tuple(
        fc.integer({ min: 900, max: 12000 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
      ),
    );
    const packed = ([y, m, d]: [number, number, number]) => y * 10000 + m * 100 + d;
    fc.assert(
      fc.property(
        date,
        date,
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        (a, b, p, k) => {
          const x = packed(a);
          for (const y of [packed(b), x + k * 10 ** p, x - k * 10 ** p, packed([a[0], a[2], a[1]]), -1]) {
            expect(level(x, y)).toBe(compare(x, y));
            expect(level(y, x)).toBe(compare(y, x));
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(level(19501231, 19520101)).toBe(compare(19501231, 19520101));
    expect(level(19500315, 19800316)).toBe(birth.levels.findIndex((l) => l.label === 'different'));
  });

  it('count the roll names by id as the term-frequency tables count them by value', () => {
    const comparisons = chinaComparisons();
    const normalise = createPersonNormaliser();
    const roll = ['王丽', '王莉', '王丽', undefined, '王麗'].map((name, i) =>
      normalise({ id: `B${i}`, name }),
    );
    const encoder = createChinaEncoder(comparisons);
    const tables = chinaNameCountsAsTables(
      countChinaNames(encoder.encode(roll), encoder.dictionary),
      encoder.dictionary,
    );
    expect(tables.totals).toEqual([4, 4]);
    expect([...tables.counts[0]!]).toEqual([
      ['王丽', 3],
      ['王莉', 1],
    ]);
    expect([...tables.counts[1]!]).toEqual([['wangli', 4]]);
  });
});

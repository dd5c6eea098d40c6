import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyComparison } from './comparison.js';
import { chineseNameComparison, createNameNormaliser } from './comparisons/chinese-name.js';
import { dateComparison } from './comparisons/date.js';
import { exactComparison } from './comparisons/exact.js';
import { createModel, formatExplanation, type ModelParameters, probabilityFromWeight } from './model.js';
import {
  applyTermFrequencies,
  buildTermFrequencies,
  prepareRecords,
  termFrequencySlots,
} from './prepare-records.js';

interface Person {
  readonly id: string;
  readonly name?: string;
  readonly birth?: string;
  readonly sex?: string;
}

const normalise = createNameNormaliser();
const comparisons = [
  chineseNameComparison<Person>({ name: 'name', value: (p) => normalise(p.name) }),
  dateComparison<Person>({ name: 'birth_date', value: (p) => p.birth }),
  exactComparison<Person>({ name: 'sex', value: (p) => p.sex }),
] as unknown as AnyComparison<Person>[];

const parameters: ModelParameters = {
  probabilityTwoRandomRecordsMatch: 1e-4,
  comparisons: comparisons.map((c) => ({
    name: c.name,
    levels: c.levels.map((level, l) => ({
      label: level.label,
      isNull: level.isNull === true,
      m: level.isNull ? 1 : l === 0 ? 0.85 : 0.15 / (c.levels.length - 2),
      u: level.isNull ? 1 : l === 0 ? 0.001 : 0.999 / (c.levels.length - 2),
    })),
  })),
};

/** A roll where 王秀英 is common and 欧阳明远 appears once. */
function roll(): Person[] {
  const people: Person[] = [];
  for (let i = 0; i < 200; i++)
    people.push({ id: `c${i}`, name: '王秀英', birth: `19${40 + (i % 50)}-01-01` });
  for (let i = 0; i < 800; i++) people.push({ id: `o${i}`, name: `路人${i}`, birth: '1950-01-01' });
  people.push({ id: 'rare', name: '欧阳明远', birth: '1950-05-05', sex: 'M' });
  return people;
}

function prepared() {
  const records = prepareRecords(comparisons, roll(), (p) => p.id);
  const tables = buildTermFrequencies(termFrequencySlots(comparisons), [records]);
  applyTermFrequencies(tables, records);
  return { records, model: createModel(comparisons, parameters), tables };
}

describe('term-frequency adjustment', () => {
  it('makes agreement on a common name weaker than on a rare one', () => {
    const { records, model } = prepared();
    const common = model.scorePair(records[0]!, records[0]!);
    const rare = model.scorePair(records.at(-1)!, records.at(-1)!);
    const nameTerm = (s: typeof common) => s.explanation.terms.find((t) => t.comparison === 'name')!;
    expect(nameTerm(common).label).toBe('exact');
    expect(nameTerm(common).tfAdjustment).toBeLessThan(0);
    expect(nameTerm(rare).tfAdjustment).toBeGreaterThan(0);
    expect(nameTerm(common).weight).toBeLessThan(nameTerm(rare).weight);
    // Without TF the two name terms would be equal: the difference is the frequency alone.
    expect(nameTerm(common).weight - nameTerm(common).tfAdjustment).toBeCloseTo(
      nameTerm(rare).weight - nameTerm(rare).tfAdjustment,
      10,
    );
  });
  it('leaves disagreeing pairs alone', () => {
    const { records, model } = prepared();
    const s = model.scorePair(records[0]!, records.at(-1)!);
    expect(s.explanation.terms.every((t) => t.tfAdjustment === 0)).toBe(true);
  });
});

describe('explanations', () => {
  it('add up to the match weight, and the fast path agrees (property)', () => {
    const { records, model } = prepared();
    fc.assert(
      fc.property(fc.nat(records.length - 1), fc.nat(records.length - 1), (i, j) => {
        const a = records[i]!;
        const b = records[j]!;
        const score = model.scorePair(a, b);
        const sum = score.explanation.priorWeight + score.explanation.terms.reduce((s, t) => s + t.weight, 0);
        expect(sum).toBeCloseTo(score.matchWeight, 9);
        expect(model.matchWeight(a, b)).toBeCloseTo(score.matchWeight, 9);
        expect(score.matchProbability).toBeCloseTo(probabilityFromWeight(score.matchWeight), 12);
      }),
      { seed: 1, numRuns: 300 },
    );
  });
  it('gives missing values weight 0 and prints each term', () => {
    const { records, model } = prepared();
    const score = model.scorePair(records[0]!, records[1]!);
    const sex = score.explanation.terms.find((t) => t.comparison === 'sex')!;
    expect(sex).toMatchObject({ label: 'missing', weight: 0 });
    expect(formatExplanation(score)).toContain('sex: missing +0.00');
  });
});

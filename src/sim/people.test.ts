import { describe, expect, it } from 'vitest';
import { addYears, dayOf } from './calendar.js';
import { createIdIssuer, drawCore } from './people.js';

describe('people: birth dates and ID numbers', () => {
  const params = { seed: 3, asOf: dayOf('2021-06-30'), coupleShare: 1, employeeShare: 0.15 };
  const latestBirth = addYears(params.asOf, -60) - 1;

  it('spouses too young for the roll spread over the days before turning 60, not onto one day', () => {
    // Partners of people just old enough: most wanted spouses are younger than the roll allows.
    const births = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const partner = {
        ...drawCore(params, i * 2, undefined, true),
        birth: latestBirth - 10,
        sex: 'M' as const,
      };
      const spouse = drawCore(params, i * 2 + 1, partner, false);
      expect(spouse.birth).toBeLessThanOrEqual(latestBirth);
      births.set(spouse.birth, (births.get(spouse.birth) ?? 0) + 1);
    }
    // 2,000 spouses over ~400 days: no day holds more than a few dozen (was: nearly all on latestBirth).
    expect(Math.max(...births.values())).toBeLessThan(50);
  });

  it('issues distinct ID numbers for people born the same day, up to the 500 sequences per sex', () => {
    const issue = createIdIssuer();
    const ids = Array.from({ length: 500 }, () => issue('430422', latestBirth, 'F'));
    expect(new Set(ids).size).toBe(500);
  });
});

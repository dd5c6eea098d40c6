import { describe, expect, it } from 'vitest';
import { barSpan, waterfall } from './waterfall.js';

describe('match waterfall', () => {
  const terms = [
    { comparison: 'id_number', level: 0, label: 'exact', weight: 14, tfAdjustment: 0 },
    { comparison: 'name', level: 1, label: 'pinyin equal', weight: 3, tfAdjustment: -1 },
    { comparison: 'region', level: 3, label: 'different', weight: -2.5, tfAdjustment: 0 },
  ];

  it('adds each field in turn and ends at the match weight', () => {
    const bars = waterfall(-10, terms, { prior: 'prior', total: 'total' });
    expect(bars.map((b) => b.kind)).toEqual(['prior', 'up', 'up', 'down', 'total']);
    expect(bars[2]).toMatchObject({ label: 'name: pinyin equal', base: 4, value: 2 });
    expect(bars[4]!.value).toBeCloseTo(-10 + 14 + 2 - 2.5);
    expect(barSpan(bars[3]!)).toEqual([3.5, 6]);
    expect(barSpan(bars[0]!)).toEqual([-10, 0]);
  });
});

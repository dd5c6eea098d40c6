import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatYuan, parseYuan } from './money.js';

describe('money', () => {
  it('parses yuan strings to integer fen without floats', () => {
    expect(parseYuan('123.5')).toEqual({ ok: true, value: 12350 });
    expect(parseYuan('1234.56')).toEqual({ ok: true, value: 123456 });
    expect(parseYuan('0.07')).toEqual({ ok: true, value: 7 });
    expect(parseYuan('-20')).toEqual({ ok: true, value: -2000 });
    expect(parseYuan('1,234.10')).toEqual({ ok: true, value: 123410 });
  });

  it('refuses three decimals and non-numbers with a reason', () => {
    expect(parseYuan('12.345')).toMatchObject({ ok: false, issues: [{ code: 'money.too_many_decimals' }] });
    expect(parseYuan('abc')).toMatchObject({ ok: false, issues: [{ code: 'money.invalid' }] });
    expect(parseYuan('')).toMatchObject({ ok: false });
  });

  it('fen → yuan → fen round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (fen) => {
        expect(parseYuan(formatYuan(fen))).toEqual({ ok: true, value: fen });
      }),
    );
  });

  it('prints two decimals', () => {
    expect(formatYuan(12350)).toBe('123.50');
    expect(formatYuan(-5)).toBe('-0.05');
  });
});

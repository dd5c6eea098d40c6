import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Period } from './time.js';
import {
  addMonths,
  monthsBetween,
  parseDate,
  parsePeriod,
  parseTimestamp,
  shanghaiDate,
  startOfShanghaiDay,
} from './time.js';

describe('time', () => {
  it('parses calendar dates and refuses impossible ones', () => {
    expect(parseDate('2021-02-01')).toEqual({ ok: true, value: '2021-02-01' });
    expect(parseDate('20210201')).toEqual({ ok: true, value: '2021-02-01' });
    expect(parseDate('2021-02-30')).toMatchObject({ ok: false, issues: [{ code: 'date.impossible' }] });
    expect(parseDate('2020-02-29').ok).toBe(true);
    expect(parseDate('1900-02-29').ok).toBe(false);
    expect(parseDate('01/02/2021')).toMatchObject({ ok: false, issues: [{ code: 'date.format' }] });
  });

  it('parses timestamps with offsets to epoch ms', () => {
    const r = parseTimestamp('2021-02-01T23:41:07+08:00');
    expect(r).toEqual({ ok: true, value: Date.UTC(2021, 1, 1, 15, 41, 7) });
    expect(parseTimestamp('2021-02-01T23:41:07')).toMatchObject({ ok: false });
  });

  it('a timestamp late in the evening UTC is the next day in Shanghai', () => {
    const r = parseTimestamp('2021-01-31T20:00:00Z');
    expect(r.ok && shanghaiDate(r.value)).toBe('2021-02-01');
  });

  it('day start and Shanghai date agree for every day', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const date = shanghaiDate(d.getTime());
          expect(shanghaiDate(startOfShanghaiDay(date))).toBe(date);
          expect(startOfShanghaiDay(date)).toBeLessThanOrEqual(d.getTime());
        },
      ),
    );
  });

  it('month arithmetic is consistent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1990, max: 2050 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: -200, max: 200 }),
        (y, m, n) => {
          const p = parsePeriod(`${y}-${String(m).padStart(2, '0')}`);
          expect(p.ok).toBe(true);
          if (!p.ok) return;
          expect(monthsBetween(p.value, addMonths(p.value, n))).toBe(n);
        },
      ),
    );
    expect(addMonths('2020-12' as Period, 1)).toBe('2021-01');
  });
});

import { describe, expect, it } from 'vitest';
import { formatFen, formatTime, groupDigits, monthOf, monthRange } from './format.js';

describe('dashboard formatting', () => {
  it('formats integer fen as yuan without floating point', () => {
    expect(formatFen(0)).toBe('¥0.00');
    expect(formatFen(5)).toBe('¥0.05');
    expect(formatFen(123456)).toBe('¥1,234.56');
    expect(formatFen(1_000_000_000_01)).toBe('¥1,000,000,000.01');
    expect(formatFen(-250)).toBe('-¥2.50');
    expect(groupDigits(1234567)).toBe('1,234,567');
  });

  it('shows instants in China time whatever the browser zone', () => {
    expect(formatTime(Date.UTC(2021, 1, 1, 15, 41))).toBe('2021-02-01 23:41');
    expect(formatTime(Date.UTC(2021, 0, 31, 16, 5))).toBe('2021-02-01 00:05');
    expect(monthOf(Date.UTC(2021, 0, 31, 16, 5))).toBe('2021-02');
    expect(monthOf('2019-03-12')).toBe('2019-03');
  });

  it('lists every month of a range, across years', () => {
    expect(monthRange('2020-11', '2021-02')).toEqual(['2020-11', '2020-12', '2021-01', '2021-02']);
    expect(monthRange('2021-02', '2021-02')).toEqual(['2021-02']);
    expect(monthRange('2021-03', '2021-02')).toEqual([]);
  });
});

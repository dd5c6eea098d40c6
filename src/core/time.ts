import { fail, ok, type Result } from './result.js';

/** A calendar date in Asia/Shanghai, `YYYY-MM-DD`, validated. */
export type CalendarDate = string & { readonly __brand: 'CalendarDate' };
/** A month a payment is for, `YYYY-MM`. */
export type Period = string & { readonly __brand: 'Period' };
/** Milliseconds since the epoch. */
export type EpochMs = number;

/** Asia/Shanghai has had no daylight saving since 1991: a fixed +08:00. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD_PATTERN = /^(\d{4})-(\d{2})$/;
const TIMESTAMP_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** True when year, month and day name a real day (1800-2199). */
export function isValidYmd(year: number, month: number, day: number): boolean {
  return (
    year >= 1800 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

export function formatYmd(year: number, month: number, day: number): CalendarDate {
  return `${year.toString().padStart(4, '0')}-${month.toString().padStart(2, '0')}-${day
    .toString()
    .padStart(2, '0')}` as CalendarDate;
}

/**
 * Parses `YYYY-MM-DD` (also accepts `YYYYMMDD` and `YYYY/MM/DD`, which Excel exports produce).
 * @example parseDate('2021-02-01') // { ok: true, value: '2021-02-01' }
 */
export function parseDate(text: string): Result<CalendarDate> {
  const trimmed = text.trim();
  const normalised = /^\d{8}$/.test(trimmed)
    ? `${trimmed.slice(0, 4)}-${trimmed.slice(4, 6)}-${trimmed.slice(6, 8)}`
    : trimmed.replace(/\//g, '-');
  const match = DATE_PATTERN.exec(normalised);
  if (!match) return fail('date.format', `"${text}" is not a date; write it as YYYY-MM-DD`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (!isValidYmd(year, month, day)) return fail('date.impossible', `"${text}" is not a real calendar day`);
  return ok(formatYmd(year, month, day));
}

/** Parses `YYYY-MM`. */
export function parsePeriod(text: string): Result<Period> {
  const match = PERIOD_PATTERN.exec(text.trim());
  const month = Number(match?.[2]);
  const year = Number(match?.[1]);
  if (!match || month < 1 || month > 12 || year < 1800 || year > 2199) {
    return fail('period.format', `"${text}" is not a month; write it as YYYY-MM`);
  }
  return ok(`${match[1]}-${match[2]}` as Period);
}

/**
 * Parses an ISO 8601 timestamp that carries an offset into epoch milliseconds.
 * @example parseTimestamp('2021-02-01T23:41:07+08:00') // { ok: true, value: 1612194067000 }
 */
export function parseTimestamp(text: string): Result<EpochMs> {
  const match = TIMESTAMP_PATTERN.exec(text.trim());
  if (!match) {
    return fail(
      'timestamp.format',
      `"${text}" is not a timestamp with an offset; write it like 2021-02-01T23:41:07+08:00`,
    );
  }
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (!isValidYmd(year, month, day) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return fail('timestamp.impossible', `"${text}" is not a real moment`);
  }
  const millis = frac ? Math.floor(Number(`0${frac}`) * 1000) : 0;
  let offsetMs = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMs = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
  }
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), millis);
  return ok(utc - offsetMs);
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(epochMs: EpochMs): CalendarDate {
  const shifted = new Date(epochMs + SHANGHAI_OFFSET_MS);
  return formatYmd(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Formats an instant as ISO 8601 in Asia/Shanghai (`2021-02-01T23:41:07+08:00`). */
export function formatShanghaiTimestamp(epochMs: EpochMs): string {
  const shifted = new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

/** Midnight at the start of a Shanghai calendar date, as epoch ms. */
export function startOfShanghaiDay(date: CalendarDate): EpochMs {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS;
}

export function periodOf(date: CalendarDate): Period {
  return date.slice(0, 7) as Period;
}

/** Adds whole months to a period. @example addMonths('2020-12' as Period, 1) // '2021-01' */
export function addMonths(period: Period, months: number): Period {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${((index % 12) + 1).toString().padStart(2, '0')}` as Period;
}

/** Number of months from `a` to `b` (positive when b is later). */
export function monthsBetween(a: Period, b: Period): number {
  const [ya, ma] = a.split('-').map(Number) as [number, number];
  const [yb, mb] = b.split('-').map(Number) as [number, number];
  return yb * 12 + mb - (ya * 12 + ma);
}

/** Whole days from date a to date b. */
export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((startOfShanghaiDay(b) - startOfShanghaiDay(a)) / 86_400_000);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return shanghaiDate(startOfShanghaiDay(date) + days * 86_400_000);
}

/** Today's date in Asia/Shanghai, from an injected clock. */
export function todayIn(clock: () => EpochMs = Date.now): CalendarDate {
  return shanghaiDate(clock());
}

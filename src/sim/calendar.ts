/**
 * Day numbers (days since 1970-01-01) for the simulator's date arithmetic: cheap integers while the world is
 * generated, turned into `YYYY-MM-DD` only when a row is written.
 */
const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year. */
const SHANGHAI_MS = 8 * 3_600_000;

export function dayOf(date: string): number {
  return Math.floor(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS,
  );
}

export function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function dayOfYmd(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Year and month (1-12) of a day number. */
export function yearMonthOf(day: number): { year: number; month: number } {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** Month index (year × 12 + month − 1) of a day, for month loops. */
export function monthIndexOf(day: number): number {
  const { year, month } = yearMonthOf(day);
  return year * 12 + month - 1;
}

export function periodOfMonthIndex(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

export function dayOfMonthIndex(index: number, dayOfMonth: number): number {
  return dayOfYmd(Math.floor(index / 12), (index % 12) + 1, dayOfMonth);
}

export function daysInMonthIndex(index: number): number {
  return dayOfMonthIndex(index + 1, 1) - dayOfMonthIndex(index, 1);
}

/** Full years of age on `day` for someone born on `birth` (both day numbers). */
export function ageOn(birth: number, day: number): number {
  const b = new Date(birth * DAY_MS);
  const d = new Date(day * DAY_MS);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (
    d.getUTCMonth() < b.getUTCMonth() ||
    (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())
  ) {
    age--;
  }
  return age;
}

/** The same calendar day `years` later (29 February becomes 28 February). */
export function addYears(day: number, years: number): number {
  const d = new Date(day * DAY_MS);
  const month = d.getUTCMonth();
  const date = Math.min(d.getUTCDate(), month === 1 ? 28 : 31);
  return Math.floor(Date.UTC(d.getUTCFullYear() + years, month, date) / DAY_MS);
}

/** Epoch milliseconds of a Shanghai wall-clock time on a day. */
export function shanghaiMs(day: number, hour: number, minute: number, second: number): number {
  return day * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 - SHANGHAI_MS;
}

/** `2021-02-01T23:41:07+08:00` */
export function formatShanghai(ms: number): string {
  return `${new Date(ms + SHANGHAI_MS).toISOString().slice(0, 19)}+08:00`;
}

import { isValidYmd } from '../../core/time.js';
import { type Comparison, levelsOf } from '../comparison.js';

/**
 * A date packed as the integer YYYYMMDD (e.g. 19491231), or -1 when missing. Packing keeps the pair comparison
 * free of allocation; an 8-digit value that is not a real day is kept (a typo can still agree on digits).
 * @example parseCompactDate('1949-12-31') // 19491231
 */
export function parseCompactDate(text: string | undefined): number {
  if (text === undefined) return -1;
  const t = text.trim();
  let digits = '';
  if (/^\d{8}$/.test(t)) digits = t;
  else {
    const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t);
    if (!m) return -1;
    digits = `${m[1]}${m[2]!.padStart(2, '0')}${m[3]!.padStart(2, '0')}`;
  }
  const value = Number(digits);
  return value > 0 ? value : -1;
}

/** Days since 1970-01-01 of a packed YYYYMMDD (proleptic Gregorian; Howard Hinnant's days_from_civil). */
export function epochDayOf(ymd: number): number {
  let y = Math.floor(ymd / 10000);
  const m = Math.floor(ymd / 100) % 100;
  const d = ymd % 100;
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isRealDay(ymd: number): boolean {
  return isValidYmd(Math.floor(ymd / 10000), Math.floor(ymd / 100) % 100, ymd % 100);
}

function differingDigits(a: number, b: number): number {
  let count = 0;
  let x = a;
  let y = b;
  for (let i = 0; i < 8; i++) {
    if (x % 10 !== y % 10) count++;
    x = Math.floor(x / 10);
    y = Math.floor(y / 10);
  }
  return count;
}

export interface DateOptions<T> {
  readonly name: string;
  /** The date as text (YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD), or a packed YYYYMMDD number. */
  readonly value: (record: T) => string | number | undefined;
  /** Adds a level "one digit different" after "month and day swapped" (a typed digit wrong). */
  readonly digitTypo?: boolean;
  /** Days within which two dates count as "within a year" (default 365). */
  readonly withinDays?: number;
}

/**
 * Levels: exact, month and day swapped, [one digit different], same year and month, within a year, different,
 * missing.
 * @example dateComparison<Row>({ name: 'date_of_birth', value: (r) => r.date_of_birth })
 */
export function dateComparison<T>(options: DateOptions<T>): Comparison<T, number> {
  const typo = options.digitTypo === true;
  const withinDays = options.withinDays ?? 365;
  const labels = [
    'exact',
    'month and day swapped',
    ...(typo ? ['one digit different'] : []),
    'same year and month',
    'within a year',
    'different',
  ];
  const base = typo ? 1 : 0;
  const sameMonth = 2 + base;
  const within = 3 + base;
  const different = 4 + base;
  const missing = 5 + base;
  return {
    name: options.name,
    levels: levelsOf(labels),
    prepare: (record) => {
      const v = options.value(record);
      return typeof v === 'number' ? v : parseCompactDate(v);
    },
    compare: (a, b) => {
      if (a < 0 || b < 0) return missing;
      if (a === b) return 0;
      const ya = Math.floor(a / 10000);
      const yb = Math.floor(b / 10000);
      const ma = Math.floor(a / 100) % 100;
      const mb = Math.floor(b / 100) % 100;
      const da = a % 100;
      const db = b % 100;
      if (ya === yb && ma === db && da === mb) return 1;
      if (typo && differingDigits(a, b) === 1) return 2;
      if (ya === yb && ma === mb) return sameMonth;
      if (isRealDay(a) && isRealDay(b) && Math.abs(epochDayOf(a) - epochDayOf(b)) <= withinDays)
        return within;
      return different;
    },
  };
}

/**
 * Money is integer fen (1 yuan = 100 fen), formatted without floating point.
 * @example formatFen(123456) // '¥1,234.56'
 */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}¥${groupDigits(yuan)}.${cents}`;
}

/** Whole yuan for charts (fen divided by 100, rounded). */
export const fenToYuan = (fen: number): number => Math.round(fen / 100);

export function groupDigits(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${grouped}` : grouped;
}

export const formatCount = (n: number): string => groupDigits(n);

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as a date and time in China (UTC+8, no daylight saving), whatever the browser's zone.
 * @example formatTime(Date.UTC(2021, 1, 1, 15, 41)) // '2021-02-01 23:41'
 */
export function formatTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export const formatDay = (ms: number): string => formatTime(ms).slice(0, 10);

/** The month (YYYY-MM) of an instant in China, or of a YYYY-MM-DD date. */
export function monthOf(value: number | string): string {
  return typeof value === 'string' ? value.slice(0, 7) : formatTime(value).slice(0, 7);
}

export const formatProbability = (p: number): string => `${(p * 100).toFixed(1)}%`;

export const formatWeight = (w: number): string => (w >= 0 ? `+${w.toFixed(2)}` : w.toFixed(2));

/**
 * The months from the first to the last (inclusive), so that a trend shows empty months too.
 * @example monthRange('2020-11', '2021-02') // ['2020-11', '2020-12', '2021-01', '2021-02']
 */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  const [ly, lm] = last.split('-').map(Number) as [number, number];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${pad(m)}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
    if (out.length > 1200) break;
  }
  return out;
}

import { fail, ok, type Result } from './result.js';

/** Integer fen (1 yuan = 100 fen). Never a float. */
export type Fen = number;

const YUAN_PATTERN = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/;

/**
 * Parses a yuan amount as written in the agencies' files (`123.5`, `1234.56`, `-20`) into integer fen,
 * without ever going through a float.
 * @example parseYuan('1234.5') // { ok: true, value: 123450 }
 */
export function parseYuan(text: string): Result<Fen> {
  const trimmed = text.trim().replace(/,/g, '');
  const match = YUAN_PATTERN.exec(trimmed);
  if (!match) {
    if (/^-?\d+\.\d{3,}$/.test(trimmed)) {
      return fail(
        'money.too_many_decimals',
        `"${text}" has more than two decimal places; yuan amounts have at most two (fen)`,
      );
    }
    return fail('money.invalid', `"${text}" is not a yuan amount; write it like 1234.56`);
  }
  const [, sign = '', whole = '0', fraction = ''] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return ok(sign === '-' ? -fen : fen);
}

/**
 * Prints integer fen as a yuan string with two decimals.
 * @example formatYuan(123450) // '1234.50'
 */
export function formatYuan(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${whole}.${cents.toString().padStart(2, '0')}`;
}

import type { CardNumber } from '../core/card-number.js';
import type { Fen } from '../core/money.js';
import { type CalendarDate, isValidYmd, type Period } from '../core/time.js';
import type { RecordKind } from './enums.js';
import type { Payment, RecordOf } from './schemas.js';

/**
 * Fast paths for the bulkiest kinds: a hand-written check of a row already in its canonical form (trimmed text,
 * `YYYY-MM-DD` dates, plain decimal yuan) that builds the same record as the kind's zod schema. Anything else,
 * a valid row written another way or an invalid one, is `undefined`: the schema then decides and words the
 * issue. The zod pipeline costs about as much per row as parsing the CSV; most rows of a real file are canonical.
 * The property test in fast-rows.test.ts holds each fast path to its schema.
 */
export type FastRow<K extends RecordKind> = (
  row: Readonly<Record<string, string>>,
) => RecordOf[K] | undefined;

/** Text the schema would keep as it is: not empty, at most `max` characters, nothing to trim. */
function plain(text: string | undefined, max: number): text is string {
  return text !== undefined && text.length > 0 && text.length <= max && text.trim() === text;
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;

/** The value of `length` decimal digits at `start`, or -1 when one of them is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return -1;
    value = value * 10 + (c - DIGIT_0);
  }
  return value;
}

/** `YYYY-MM-DD` naming a real day. */
function canonicalDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return year >= 0 && month >= 0 && day >= 0 && isValidYmd(year, month, day);
}

/** `YYYY-MM` with a month 01-12 and a year 1800-2199 (parsePeriod's range). */
function canonicalPeriod(text: string): boolean {
  if (text.length !== 7 || text.charCodeAt(4) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  return year >= 1800 && year <= 2199 && month >= 1 && month <= 12;
}

/** A plain yuan amount (`1234`, `1234.5`, `1234.56`; at most 13 whole digits) in fen, or undefined. */
function plainYuanToFen(text: string): Fen | undefined {
  const dot = text.indexOf('.');
  const wholeLength = dot === -1 ? text.length : dot;
  const fractionLength = dot === -1 ? 0 : text.length - dot - 1;
  if (wholeLength < 1 || wholeLength > 13 || (dot !== -1 && (fractionLength < 1 || fractionLength > 2))) {
    return undefined;
  }
  const whole = digits(text, 0, wholeLength);
  const fraction = fractionLength === 0 ? 0 : digits(text, dot + 1, fractionLength);
  if (whole < 0 || fraction < 0) return undefined;
  return (whole * 100 + (fractionLength === 1 ? fraction * 10 : fraction)) as Fen;
}

/** 12 to 19 digits, nothing else. */
function plainCard(text: string): boolean {
  return text.length >= 12 && text.length <= 19 && digits(text, 0, text.length) >= 0;
}

const fastPayment: FastRow<'payments'> = (row) => {
  const { payment_id, beneficiary_id, period, paid_at, amount, bank_card } = row;
  if (!plain(payment_id, 64) || !plain(beneficiary_id, 64)) return undefined;
  if (period === undefined || !canonicalPeriod(period)) return undefined;
  if (paid_at === undefined || !canonicalDate(paid_at)) return undefined;
  if (bank_card !== undefined && !plainCard(bank_card)) return undefined;
  const amountFen = amount === undefined ? undefined : plainYuanToFen(amount);
  if (amountFen === undefined) return undefined;
  const payment: Payment = {
    paymentId: payment_id,
    beneficiaryId: beneficiary_id,
    period: period as Period,
    paidAt: paid_at as CalendarDate,
    amountFen,
    bankCard: bank_card as CardNumber | undefined,
  };
  return payment;
};

/** The fast path of each kind that has one. */
export const FAST_ROWS: { readonly [K in RecordKind]?: FastRow<K> } = {
  payments: fastPayment,
};

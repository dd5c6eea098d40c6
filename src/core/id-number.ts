import { fail, ok, type Result } from './result.js';
import { type CalendarDate, formatYmd, isValidYmd } from './time.js';

/** An 18-character resident identity number (GB 11643-1999) that passed every check. */
export type IdNumber = string & { readonly __brand: 'IdNumber' };

export type Sex = 'M' | 'F';

export interface IdNumberInfo {
  readonly id: IdNumber;
  /** 6-digit administrative division code (GB/T 2260). */
  readonly region: string;
  readonly birthDate: CalendarDate;
  readonly sex: Sex;
  /** True when the input was a legacy 15-digit number, converted to 18. */
  readonly convertedFrom15: boolean;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';

/**
 * The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number.
 * @example checkCharacter('11010519491231002') // 'X'
 */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARACTERS[sum % 11]!;
}

/** Folds full-width digits and a lower-case x, and removes spaces, as people type them. */
export function normaliseIdText(raw: string): string {
  return raw
    .trim()
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[xX\uFF58\uFF38]$/, 'X')
    .replace(/[\s-]/g, '');
}

/** Converts a legacy 15-digit number (born 19YY) to its 18-character form. */
export function convert15To18(legacy: string): string {
  const first17 = `${legacy.slice(0, 6)}19${legacy.slice(6, 15)}`;
  return first17 + checkCharacter(first17);
}

/**
 * How an ID number as found in a file stands:
 * - `valid`: every check passes;
 * - `suspect`: shaped like an ID number but its check character or embedded birth date is wrong (rolls really
 *   contain such numbers: load it, flag it);
 * - `invalid`: not an ID number at all (wrong length, letters): quarantine the row.
 */
export type IdNumberClass =
  | { readonly kind: 'valid'; readonly info: IdNumberInfo }
  | { readonly kind: 'suspect'; readonly normalised: string; readonly code: string; readonly reason: string }
  | { readonly kind: 'invalid'; readonly code: string; readonly reason: string };

export function classifyIdNumber(raw: string): IdNumberClass {
  const text = normaliseIdText(raw);
  let convertedFrom15 = false;
  let full = text;
  if (text.length === 15) {
    if (!/^\d{15}$/.test(text)) {
      return {
        kind: 'invalid',
        code: 'id.characters',
        reason: `"${raw}" is 15 characters but not all digits`,
      };
    }
    full = convert15To18(text);
    convertedFrom15 = true;
  } else if (text.length !== 18) {
    return {
      kind: 'invalid',
      code: 'id.length',
      reason: `"${mask(raw)}" has ${text.length} characters; a resident ID number has 18 (or 15 for the old form)`,
    };
  }
  if (!/^\d{17}[\dX]$/.test(full)) {
    return {
      kind: 'invalid',
      code: 'id.characters',
      reason: 'an ID number has 17 digits then a digit or X; this one has other characters',
    };
  }
  const region = full.slice(0, 6);
  const year = Number(full.slice(6, 10));
  const month = Number(full.slice(10, 12));
  const day = Number(full.slice(12, 14));
  if (!/^[1-8]\d{5}$/.test(region)) {
    return {
      kind: 'suspect',
      normalised: full,
      code: 'id.region',
      reason: `region code ${region} is not a real division`,
    };
  }
  if (!isValidYmd(year, month, day)) {
    return {
      kind: 'suspect',
      normalised: full,
      code: 'id.birth_date',
      reason: `the birth date in the ID number (${full.slice(6, 14)}) is not a real day`,
    };
  }
  const expected = checkCharacter(full.slice(0, 17));
  if (full[17] !== expected) {
    return {
      kind: 'suspect',
      normalised: full,
      code: 'id.check_character',
      reason: `check character is ${full[17]} but the first 17 digits give ${expected}: a digit is probably mistyped`,
    };
  }
  const sex: Sex = Number(full[16]) % 2 === 1 ? 'M' : 'F';
  return {
    kind: 'valid',
    info: { id: full as IdNumber, region, birthDate: formatYmd(year, month, day), sex, convertedFrom15 },
  };
}

/**
 * Validates a resident identity number strictly (15 or 18 characters), converting legacy numbers to 18.
 * @example parseIdNumber('11010519491231002X') // ok, birthDate 1949-12-31, sex F
 */
export function parseIdNumber(raw: string): Result<IdNumberInfo> {
  const c = classifyIdNumber(raw);
  switch (c.kind) {
    case 'valid':
      return ok(c.info);
    case 'suspect':
    case 'invalid':
      return fail(c.code, c.reason);
    default: {
      const never: never = c;
      return never;
    }
  }
}

export function isIdNumber(raw: string): raw is IdNumber {
  return classifyIdNumber(raw).kind === 'valid';
}

/**
 * Masks an ID number for display and logs: region and last four kept.
 * @example maskIdNumber('430422195003151234') // '430422********1234'
 */
export function maskIdNumber(id: string): string {
  return mask(id);
}

function mask(text: string): string {
  const t = text.trim();
  if (t.length <= 6) return '*'.repeat(t.length);
  if (t.length <= 10) return `${t.slice(0, 2)}${'*'.repeat(t.length - 2)}`;
  return `${t.slice(0, 6)}${'*'.repeat(t.length - 10)}${t.slice(-4)}`;
}

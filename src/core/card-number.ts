import { fail, ok, type Result } from './result.js';

/** A bank card number (PAN) that passed the Luhn check. */
export type CardNumber = string & { readonly __brand: 'CardNumber' };

/** The Luhn check digit to append to `payload`. */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let digit = payload.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(pan: string): boolean {
  return /^\d{2,}$/.test(pan) && luhnCheckDigit(pan.slice(0, -1)) === pan.slice(-1);
}

/**
 * Validates a card number: 12-19 digits (spaces allowed) with a correct Luhn check digit.
 * @example parseCardNumber('6217 0012 3456 7890 123')
 */
export function parseCardNumber(raw: string): Result<CardNumber> {
  const digits = raw.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return fail('card.characters', 'a card number has digits only');
  if (digits.length < 12 || digits.length > 19) {
    return fail('card.length', `a card number has 12 to 19 digits; this one has ${digits.length}`);
  }
  if (!isLuhnValid(digits))
    return fail('card.check_digit', 'the card number fails the Luhn check: a digit is mistyped');
  return ok(digits as CardNumber);
}

/**
 * Masks a card number for display and logs: first six and last four kept.
 * @example maskCardNumber('6217001234567890123') // '621700*********0123'
 */
export function maskCardNumber(pan: string): string {
  const digits = pan.trim();
  if (digits.length <= 10) return `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

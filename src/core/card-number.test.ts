import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, maskCardNumber, parseCardNumber } from './card-number.js';
import { maskName, maskText } from './mask.js';

describe('card numbers', () => {
  it('accepts Luhn-valid numbers and refuses any single-digit change', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^62\d{16}$/),
        fc.integer({ min: 0, max: 18 }),
        fc.integer({ min: 1, max: 9 }),
        (payload, pos, shift) => {
          const pan = payload + luhnCheckDigit(payload);
          expect(parseCardNumber(pan).ok).toBe(true);
          const digit = (Number(pan[pos]) + shift) % 10;
          const typo = pan.slice(0, pos) + digit + pan.slice(pos + 1);
          expect(parseCardNumber(typo).ok).toBe(false);
        },
      ),
    );
  });

  it('refuses letters and wrong lengths with a reason', () => {
    expect(parseCardNumber('62170012ABC')).toMatchObject({
      ok: false,
      issues: [{ code: 'card.characters' }],
    });
    expect(parseCardNumber('1234')).toMatchObject({ ok: false, issues: [{ code: 'card.length' }] });
  });

  it('masks cards, IDs in free text, and names', () => {
    expect(maskCardNumber('6217001234567890123')).toBe('621700*********0123');
    expect(maskText('id 430422195003151234 card 6217001234567890123')).toBe(
      'id 430422********1234 card 621700*********0123',
    );
    expect(maskName('王秀英')).toBe('王*英');
    expect(maskName('王丽')).toBe('王*');
  });
});

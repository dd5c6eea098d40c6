import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCharacter, classifyIdNumber, convert15To18, maskIdNumber, parseIdNumber } from './id-number.js';
import { daysInMonth } from './time.js';

const validId = fc
  .record({
    region: fc.integer({ min: 110000, max: 829999 }),
    year: fc.integer({ min: 1900, max: 2020 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    sequence: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, year, month, day, sequence }) => {
    const d = Math.min(day, daysInMonth(year, month));
    const first17 = `${region}${year}${String(month).padStart(2, '0')}${String(d).padStart(2, '0')}${String(sequence).padStart(3, '0')}`;
    return { id: first17 + checkCharacter(first17), year, month, day: d, sequence };
  });

describe('resident ID number', () => {
  it('accepts the standard example and extracts birth date and sex', () => {
    const r = parseIdNumber('11010519491231002X');
    expect(r.ok && r.value).toMatchObject({ region: '110105', birthDate: '1949-12-31', sex: 'F' });
  });

  it('every generated valid ID validates, with the birth date and sex it encodes', () => {
    fc.assert(
      fc.property(validId, ({ id, year, month, day, sequence }) => {
        const r = parseIdNumber(id);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.value.birthDate).toBe(
          `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        );
        expect(r.value.sex).toBe(sequence % 2 === 1 ? 'M' : 'F');
      }),
    );
  });

  it('every single-character substitution fails', () => {
    fc.assert(
      fc.property(
        validId,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 10 }),
        ({ id }, pos, shift) => {
          const alphabet = pos === 17 ? '0123456789X' : '0123456789';
          const current = alphabet.indexOf(id[pos]!);
          const replacement = alphabet[(current + shift) % alphabet.length]!;
          fc.pre(replacement !== id[pos]);
          const typo = id.slice(0, pos) + replacement + id.slice(pos + 1);
          expect(classifyIdNumber(typo).kind).not.toBe('valid');
        },
      ),
    );
  });

  it('every adjacent transposition of different characters fails', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 0, max: 16 }), ({ id }, pos) => {
        fc.pre(id[pos] !== id[pos + 1]);
        const swapped = id.slice(0, pos) + id[pos + 1] + id[pos] + id.slice(pos + 2);
        expect(classifyIdNumber(swapped).kind).not.toBe('valid');
      }),
    );
  });

  it('converts legacy 15-digit numbers to 18', () => {
    const converted = convert15To18('110105491231002');
    expect(converted).toBe('11010519491231002X');
    const r = parseIdNumber('110105491231002');
    expect(r.ok && r.value.convertedFrom15).toBe(true);
  });

  it('gives a precise reason for each kind of invalid number', () => {
    expect(classifyIdNumber('12345')).toMatchObject({ kind: 'invalid', code: 'id.length' });
    expect(classifyIdNumber('4304221950031512AB')).toMatchObject({ kind: 'invalid', code: 'id.characters' });
    expect(classifyIdNumber('110105194912310021')).toMatchObject({
      kind: 'suspect',
      code: 'id.check_character',
    });
    const badDate = `43042219501332123`;
    expect(classifyIdNumber(badDate + checkCharacter(badDate))).toMatchObject({
      kind: 'suspect',
      code: 'id.birth_date',
    });
    const badRegion = `00042219500312123`;
    expect(classifyIdNumber(badRegion + checkCharacter(badRegion))).toMatchObject({
      kind: 'suspect',
      code: 'id.region',
    });
  });

  it('folds full-width digits and lower-case x', () => {
    expect(parseIdNumber('１１０１０５１９４９１２３１００２x').ok).toBe(true);
  });

  it('masks all but the region and the last four', () => {
    expect(maskIdNumber('430422195003151234')).toBe('430422********1234');
  });
});

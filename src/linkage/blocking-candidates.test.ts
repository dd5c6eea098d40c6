import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANDIDATE_FORMAT, decodeCandidate, encodeCandidate } from './blocking-candidates.js';
import { createPersonNormaliser } from './china-preset.js';

const normalise = createPersonNormaliser();
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const cjk = fc.string({ unit: fc.constantFrom(...'王李張刘欧阳秀英麗华国強单田芳 ·．'), maxLength: 5 });
const text = fc.string({ unit: fc.constantFrom(...'0123456789Xx１２ -\u0000"\\[],'), maxLength: 19 });

describe('candidate rows (the normalised person stored beside the blocking keys)', () => {
  it('decode(encode(person)) is the person, whatever the fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: optional(cjk),
          idNumber: optional(
            fc.oneof(text, fc.constant('430422195003151237'), fc.constant('430422500315123')),
          ),
          sex: optional(fc.constantFrom('M' as const, 'F' as const)),
          birthDate: optional(fc.constantFrom('1950-03-15', '1949-12-31', '2000-02-29')),
          regionCode: optional(fc.constantFrom('430422', '', '4304')),
          address: optional(fc.string({ maxLength: 12 })),
        }),
        (input) => {
          const person = normalise({ id: 'B1', ...input });
          expect(decodeCandidate('B1', encodeCandidate(person))).toStrictEqual(person);
        },
      ),
    );
  });

  it('a row of another format, or not a row, decodes to undefined (the caller reads the roll instead)', () => {
    const row = JSON.parse(encodeCandidate(normalise({ id: 'B1', name: '王秀英' }))) as unknown[];
    row[0] = CANDIDATE_FORMAT + 1;
    expect(decodeCandidate('B1', JSON.stringify(row))).toBeUndefined();
    expect(decodeCandidate('B1', 'not json')).toBeUndefined();
    expect(decodeCandidate('B1', '{"a":1}')).toBeUndefined();
  });
});

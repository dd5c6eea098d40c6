import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAST_ROWS } from './fast-rows.js';
import { KIND_SPECS } from './schemas.js';

const fastPayment = FAST_ROWS.payments!;
const schema = KIND_SPECS.payments.schema;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Cells as files write them: canonical, valid in another spelling, or invalid. */
const idCell = fc.oneof(
  fc.stringMatching(/^[A-Z]{1,3}\d{1,10}$/),
  fc.string({ maxLength: 70 }),
  fc.constantFrom(' P1', 'P1 ', '\u3000P1', 'x'.repeat(64), 'x'.repeat(65)),
);
const dateCell = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1800, max: 2199 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  fc.constantFrom(
    '20210105',
    '2021/01/05',
    ' 2021-01-05',
    '2021-1-5',
    '2021-02-29',
    '2020-02-29',
    'yesterday',
  ),
  fc.string({ maxLength: 12 }),
);
const periodCell = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1700, max: 2300 }), fc.integer({ min: 0, max: 13 }))
    .map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`),
  fc.constantFrom('2021-1', ' 2021-01', '202101', '2021-01 '),
  fc.string({ maxLength: 8 }),
);
const amountCell = fc.oneof(
  fc.integer({ min: 0, max: 99_999_999 }).map((fen) => `${Math.floor(fen / 100)}.${pad(fen % 100, 2)}`),
  fc.integer({ min: 0, max: 99_999 }).map(String),
  fc.constantFrom(
    '1234.5',
    '0123.40',
    '-12.00',
    '1,234.56',
    ' 12.00',
    '12.345',
    '.5',
    '5.',
    '1e3',
    '12345678901234',
  ),
  fc.string({ maxLength: 10 }),
);
const cardCell = fc.oneof(
  fc.stringMatching(/^\d{12,19}$/),
  fc.constantFrom(
    '6217 0012 3456 7890',
    '6217-0012-3456-7890',
    '12345678901',
    '12345678901234567890',
    'card',
  ),
);

const row = fc.record(
  {
    payment_id: idCell,
    beneficiary_id: idCell,
    period: periodCell,
    paid_at: dateCell,
    amount: amountCell,
    bank_card: cardCell,
  },
  { requiredKeys: [] },
);

describe('FAST_ROWS.payments', () => {
  it('property: whenever it accepts a row, the schema accepts it too and builds the same record', () => {
    fc.assert(
      fc.property(row, (cells) => {
        const quick = fastPayment(cells);
        if (quick === undefined) return;
        const parsed = schema.safeParse(cells);
        expect(parsed.success).toBe(true);
        expect(quick).toStrictEqual(parsed.data);
      }),
      { numRuns: 5000 },
    );
  });

  it('takes every canonical row, with and without a card, so that a real file rarely needs the schema', () => {
    const canonical = {
      payment_id: 'P000123',
      beneficiary_id: 'B000045',
      period: '2021-01',
      paid_at: '2021-01-05',
      amount: '1234.56',
    };
    expect(fastPayment(canonical)).toStrictEqual(schema.parse(canonical));
    expect(fastPayment({ ...canonical, bank_card: '6217001234567890123', amount: '980' })).toMatchObject({
      amountFen: 98000,
      bankCard: '6217001234567890123',
    });
    expect(fastPayment({ ...canonical, amount: '0.5' })?.amountFen).toBe(50);
  });

  it('leaves every row it cannot vouch for to the schema', () => {
    const canonical = {
      payment_id: 'P1',
      beneficiary_id: 'B1',
      period: '2021-01',
      paid_at: '2021-01-05',
      amount: '1',
    };
    for (const other of [
      { paid_at: '20210105' },
      { paid_at: '2021-02-29' },
      { period: '2021-13' },
      { amount: '1,234.00' },
      { amount: '-1.00' },
      { amount: '1.234' },
      { payment_id: ' P1' },
      { bank_card: '6217 0012 3456 7890' },
    ]) {
      expect(fastPayment({ ...canonical, ...other })).toBeUndefined();
    }
    const { amount: _amount, ...withoutAmount } = canonical;
    expect(fastPayment(withoutAmount)).toBeUndefined();
  });
});

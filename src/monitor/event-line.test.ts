import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCardEventLine, slowParse } from './event-line.js';
import { SAMPLE_EVENT_FIELDS } from './testing/event-lines.js';

const base = SAMPLE_EVENT_FIELDS;

const variants = {
  event_id: fc.constantFrom('E1', ' E1', '', 'x'.repeat(129), 'é"q', 'E\\u0031'),
  ts: fc.constantFrom(
    '2021-02-01T23:41:07+08:00',
    '2021-02-01T23:41:07Z',
    '2021-02-01T23:41:07.5+08:00',
    '2021-02-01T23:41:07.291+08:00',
    '2021-02-01T23:41:07.999Z',
    '2021-02-01T23:41:07.000-05:30',
    '2021-02-01T23:41:07.12x+08:00',
    '2021-02-30T23:41:07+08:00',
    '2021-02-01 23:41:07+08:00',
    '2021-02-01T24:00:00+08:00',
    '2021-02-01T23:41:07-05:30',
    'not a time',
  ),
  card: fc.constantFrom('6217001234567890123', '6217 0012 3456 7890 123', '12345', '62170012345678901X3'),
  terminal_id: fc.constantFrom('ATM-1', ' ATM-1 ', '', 'T'.repeat(65), undefined),
  terminal_region: fc.constantFrom('430422', '43042', ' 430422', undefined),
  channel: fc.constantFrom('atm', 'counter', 'pos', 'online', 'ATM'),
  type: fc.constantFrom('withdrawal', 'balance_inquiry', 'deposit', 'card_inserted', 'refund'),
  amount: fc.constantFrom('2000.00', '2000', '2000.5', '-20', '1,234.10', '12.345', 'abc', 2000, undefined),
  result: fc.constantFrom('approved', 'declined', 'maybe', undefined),
  session_id: fc.constantFrom('S9', '', undefined),
};

describe('card event lines', () => {
  it('the fast path and the schema agree on every line', () => {
    fc.assert(
      fc.property(fc.record(variants), fc.boolean(), (fields, spaced) => {
        const object = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
        const line = spaced ? JSON.stringify(object, null, 1).replace(/\n/g, ' ') : JSON.stringify(object);
        const fast = parseCardEventLine(line);
        const slow = slowParse(line);
        expect(fast.ok).toBe(slow.ok);
        if (fast.ok && slow.ok) expect(fast.value).toStrictEqual(slow.value);
      }),
      { numRuns: 2000 },
    );
  });

  it('the fast path and the schema agree whatever the key order, repeated keys and unknown keys', () => {
    const entry = fc.oneof(
      ...Object.entries(variants).map(([key, values]) =>
        values.filter((v) => v !== undefined).map((v) => `${JSON.stringify(key)}:${JSON.stringify(v)}`),
      ),
      fc.constantFrom('"extra":"x"', '"__proto__":"x"', '"n":1', '"Card":"1"', '"ts ":"x"', '"amount":null'),
    );
    fc.assert(
      fc.property(
        fc.shuffledSubarray(Object.keys(base)),
        fc.array(entry, { maxLength: 4 }),
        (keys, extra) => {
          const parts = keys.map(
            (k) => `${JSON.stringify(k)}:${JSON.stringify(base[k as keyof typeof base])}`,
          );
          const line = `{${[...parts, ...extra].join(',')}}`;
          const fast = parseCardEventLine(line);
          const slow = slowParse(line);
          expect(fast.ok).toBe(slow.ok);
          if (fast.ok && slow.ok) expect(fast.value).toStrictEqual(slow.value);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads the contract example and explains a bad line without the card number', () => {
    const ok = parseCardEventLine(JSON.stringify(base));
    expect(ok).toMatchObject({ ok: true, value: { eventId: 'E1', ts: 1612194067000, amountFen: 200000 } });
    const bad = parseCardEventLine(
      JSON.stringify({ ...base, ts: 'yesterday', channel: 'pos', terminal_id: undefined }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => i.message).join(' ')).toMatch(/ts: .*timestamp/);
    expect(JSON.stringify(bad.issues)).not.toContain('6217001234567890123');
    expect(parseCardEventLine('{"event_id":')).toMatchObject({
      ok: false,
      issues: [{ code: 'jsonl.invalid_json' }],
    });
  });

  it('reads every millisecond fraction exactly as the schema does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.constantFrom('+08:00', 'Z', '-05:30'), (ms, zone) => {
        const ts = `2021-02-01T23:41:07.${String(ms).padStart(3, '0')}${zone}`;
        const line = JSON.stringify({ ...base, ts });
        const fast = parseCardEventLine(line);
        const slow = slowParse(line);
        expect(fast.ok && slow.ok).toBe(true);
        if (fast.ok && slow.ok) expect(fast.value.ts).toBe(slow.value.ts);
      }),
      { numRuns: 3000 },
    );
  });
});

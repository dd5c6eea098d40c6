import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CardEvent } from '../../records/schemas.js';
import { parseCardEventLine } from '../event-line.js';
import { SAMPLE_EVENT_FIELDS } from '../testing/event-lines.js';
import { BatchBuilder, BatchReader, type EventBatch } from './event-columns.js';
import { forEachLine } from './line-reader.js';
import { readEventBatches, readEventBatchesInWorker } from './replay-reader.js';

const base = SAMPLE_EVENT_FIELDS;

const variants = {
  event_id: fc.constantFrom(
    'E1',
    'E2',
    ' E1',
    'E1 ',
    '',
    'x'.repeat(128),
    'x'.repeat(129),
    'é"q',
    'E\\u0031',
    'E\t1',
  ),
  ts: fc.constantFrom(
    '2021-02-01T23:41:07+08:00',
    '2021-02-01T23:41:07Z',
    '2021-02-01T23:41:07.5+08:00',
    '2021-02-01T23:41:07.291+08:00',
    '2021-02-01T23:41:07.999Z',
    '2021-02-01T23:41:07.000-05:30',
    '2021-02-01T23:41:07.12x+08:00',
    '2021-02-29T23:41:07+08:00',
    '2024-02-29T23:41:07+08:00',
    '2021-02-01 23:41:07+08:00',
    '2021-02-01T24:00:00+08:00',
    '2021-02-01T23:41:60+08:00',
    '2021-02-01T23:41:07-05:30',
    'not a time',
  ),
  card: fc.constantFrom(
    '6217001234567890123',
    '621700123456',
    '6217001234567',
    '6217 0012 3456 7890 123',
    '12345',
    '62170012345678901X3',
    '62170012345678901234',
  ),
  terminal_id: fc.constantFrom(
    'ATM-1',
    'ATM-2',
    ' ATM-1 ',
    '',
    'T'.repeat(64),
    'T'.repeat(65),
    'ATM-é',
    undefined,
  ),
  terminal_region: fc.constantFrom('430422', '430101', '43042', ' 430422', '43042x', undefined),
  channel: fc.constantFrom('atm', 'counter', 'pos', 'online', 'ATM'),
  type: fc.constantFrom(
    'withdrawal',
    'balance_inquiry',
    'deposit',
    'card_inserted',
    'card_ejected',
    'refund',
  ),
  amount: fc.constantFrom(
    '2000.00',
    '2000',
    '2000.5',
    '0.1',
    '-20',
    '1,234.10',
    '12.345',
    '.5',
    'abc',
    2000,
    null,
    undefined,
  ),
  result: fc.constantFrom('approved', 'declined', 'maybe', undefined),
  session_id: fc.constantFrom('S9', 'S 9', '', ' S9', undefined),
};

/** A line as a file may hold it: JSON of some fields, spaced or not, sometimes a raw oddity. */
const lineArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(fc.record(variants), fc.constantFrom('', ' ', 1)).map(([fields, space]) => {
      const object = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      return JSON.stringify(object, null, space === '' ? undefined : space).replace(/\n/g, ' ');
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.shuffledSubarray(Object.keys(base)),
        fc.array(
          fc.constantFrom(
            '"extra":"x"',
            '"__proto__":"x"',
            '"n":1',
            '"Card":"1"',
            '"ts ":"x"',
            '"amount":null',
            '"card":"6217001234567890124"',
            '"event_id":"E9"',
          ),
          { maxLength: 3 },
        ),
      )
      .map(([keys, extra]) => {
        const parts = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(base[k as keyof typeof base])}`);
        return `{${[...parts, ...extra].join(',')}}`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', '{', '[]', 'null', '{}', '{"event_id":"E1"', '\u00a0{}', '{"a":"\\"'),
  },
);

/** What the columns carry, read back: the events, and the invalid lines. */
function throughColumns(
  lines: readonly string[],
  keepFrom = 1,
): {
  events: CardEvent[];
  invalid: { line: number; raw: string; issues: unknown }[];
} {
  const builder = new BatchBuilder();
  const reader = new BatchReader();
  const events: CardEvent[] = [];
  const invalid: { line: number; raw: string; issues: unknown }[] = [];
  const take = (batch: EventBatch) => {
    invalid.push(...batch.invalid);
    reader.forEach(batch, (e) => events.push(e));
  };
  lines.forEach((line, k) => {
    const bytes = Buffer.from(line, 'utf8');
    // Not at offset 0: the builder reads a line inside a larger buffer.
    const buf = Buffer.concat([Buffer.from('xx\n'), bytes, Buffer.from('\nyy')]);
    builder.line(buf, 3, 3 + bytes.length, k + 1, k + 1 >= keepFrom);
    if (k % 7 === 6) take(builder.take(k + 1, 0, false));
  });
  take(builder.take(lines.length, 0, true));
  return { events, invalid };
}

/** The same through `parseCardEventLine`, line by line. */
function throughParser(lines: readonly string[], keepFrom = 1) {
  const events: CardEvent[] = [];
  const invalid: { line: number; raw: string; issues: unknown }[] = [];
  lines.forEach((line, k) => {
    const parsed = parseCardEventLine(line);
    if (!parsed.ok) invalid.push({ line: k + 1, raw: line, issues: parsed.issues });
    else if (k + 1 >= keepFrom) events.push(parsed.value);
  });
  return { events, invalid };
}

describe('event columns', () => {
  it('carry exactly the events and invalid lines parseCardEventLine makes, whatever the lines', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        (lines, keepFrom) => {
          const columns = throughColumns(lines, keepFrom);
          const parser = throughParser(lines, keepFrom);
          expect(columns.events).toStrictEqual(parser.events);
          expect(columns.invalid).toStrictEqual(parser.invalid);
          for (const e of columns.events) expect(Object.keys(e)).toEqual(Object.keys(parser.events[0]!));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('hand the engine the very card string the reference is keyed by', () => {
    const line = JSON.stringify({ ...base, session_id: undefined });
    const [a, b] = throughColumns([line, line.replace('"E1"', '"E2"')]).events;
    const parsed = parseCardEventLine(line);
    expect(parsed.ok && parsed.value.card).toBe(a!.card);
    expect(a!.card).toBe(b!.card);
  });

  it('keep every card number apart: lengths 12 to 19, leading zeros, numbers equal but for their length', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.stringMatching(/^[0-9]{12,19}$/),
            fc.integer({ min: 12, max: 19 }).map((n) => '0'.repeat(n)),
            fc
              .tuple(fc.integer({ min: 0, max: 7 }), fc.stringMatching(/^[1-9][0-9]{11}$/))
              .map(([zeros, digits]) => '0'.repeat(zeros) + digits),
          ),
          { minLength: 1, maxLength: 300 },
        ),
        (cards) => {
          // Every card twice, the second time after the others: each is found again, none merged with another.
          const all = [...cards, ...cards];
          const lines = all.map((card, i) => JSON.stringify({ ...base, event_id: `E${i}`, card }));
          const builder = new BatchBuilder();
          lines.forEach((line, k) => {
            const buf = Buffer.from(line);
            builder.line(buf, 0, buf.length, k + 1, true);
          });
          const batch = builder.take(lines.length, 0, true);
          expect(batch.count).toBe(all.length);
          expect(batch.newCards).toEqual([...new Set(cards)]);
          expect(Array.from(batch.card, (c) => batch.newCards[c])).toEqual(all);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keep thousands of card numbers apart as their table grows', () => {
    const cards = Array.from({ length: 6_000 }, (_, i) => String(i * 7_919).padStart(12 + (i % 8), '0'));
    const all = [...cards, ...cards.slice().reverse()];
    const builder = new BatchBuilder();
    all.forEach((card, k) => {
      const buf = Buffer.from(JSON.stringify({ ...base, event_id: `E${k}`, card }));
      builder.line(buf, 0, buf.length, k + 1, true);
    });
    const batch = builder.take(all.length, 0, true);
    expect(batch.newCards).toEqual(cards);
    expect(Array.from(batch.card, (c) => batch.newCards[c])).toEqual(all);
  });

  it('start the dictionaries afresh when they are full, values unchanged', () => {
    const builder = new BatchBuilder(4);
    const reader = new BatchReader();
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        ...base,
        event_id: `E${i}`,
        card: `62170012345678${String(i % 9).padStart(5, '0')}`,
        terminal_id: `T${i % 5}`,
      }),
    );
    const events: CardEvent[] = [];
    let resets = 0;
    lines.forEach((line, k) => {
      const buf = Buffer.from(line);
      builder.line(buf, 0, buf.length, k + 1, true);
      if (k % 3 === 2) {
        const batch = builder.take(k + 1, 0, false);
        if (batch.reset) resets++;
        reader.forEach(batch, (e) => events.push(e));
      }
    });
    expect(resets).toBeGreaterThan(0);
    expect(events).toStrictEqual(throughParser(lines).events);
  });
});

describe('reading a file in batches', () => {
  /** A file of more than two 1 MiB chunks: BOM, CRLF and LF, blank and invalid lines, no final line break. */
  function writeFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'gw-columns-'));
    const path = join(dir, 'card_events.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 14_000; i++) {
      if (i % 997 === 5) lines.push('');
      else if (i % 1009 === 7) lines.push('{"event_id":"bad"}');
      else
        lines.push(
          JSON.stringify({
            ...base,
            event_id: `E${i}`,
            card: `6217001234${String(i % 500).padStart(9, '0')}`,
          }),
        );
    }
    const text = lines.map((l, i) => (i % 3 === 0 ? `${l}\r\n` : `${l}\n`)).join('');
    writeFileSync(
      path,
      `\uFEFF${text}{"event_id":"last","ts":"2021-02-01T23:41:07+08:00","card":"6217001234567890123","channel":"online","type":"balance_inquiry"}\r`,
    );
    return path;
  }

  it('splits lines as forEachLine does and ends each batch where its chunks end, in a worker or not', async () => {
    const path = writeFile();
    const expected: { events: CardEvent[]; invalid: number[]; ends: number[] } = {
      events: [],
      invalid: [],
      ends: [],
    };
    const total = await forEachLine(
      path,
      (line, number) => {
        const parsed = parseCardEventLine(line);
        if (!parsed.ok) expected.invalid.push(number);
        else if (number > 100) expected.events.push(parsed.value);
      },
      (lastLine) => {
        expected.ends.push(lastLine);
      },
    );
    expect(expected.ends.length).toBeGreaterThan(2);
    for (const inWorker of [false, true]) {
      const reader = new BatchReader();
      const got: { events: CardEvent[]; invalid: number[]; ends: number[] } = {
        events: [],
        invalid: [],
        ends: [],
      };
      let last = 0;
      const input = { path, skipThrough: 100, validateSkipped: true };
      const onBatch = (batch: EventBatch) => {
        got.invalid.push(...batch.invalid.map((i) => i.line));
        reader.forEach(batch, (e) => got.events.push(e));
        if (!batch.final) got.ends.push(batch.lastLine);
        last = batch.lastLine;
      };
      if (inWorker) await readEventBatchesInWorker(input, onBatch);
      else await readEventBatches(input, onBatch);
      expect(last).toBe(total);
      expect(got.ends).toEqual(expected.ends);
      expect(got.invalid).toEqual(expected.invalid);
      expect(got.events).toStrictEqual(expected.events);
    }
  });

  it('reports a file it cannot read', async () => {
    const input = { path: join(tmpdir(), 'gw-no-such-file.jsonl'), skipThrough: 0, validateSkipped: false };
    await expect(readEventBatchesInWorker(input, () => {})).rejects.toThrow(/ENOENT/);
    await expect(readEventBatches(input, () => {})).rejects.toThrow(/ENOENT/);
  });
});

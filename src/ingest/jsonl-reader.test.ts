import { describe, expect, it } from 'vitest';
import { createJsonlParser, type JsonlRecord, readJsonl } from './jsonl-reader.js';

function parseAll(text: string, size = text.length): JsonlRecord[] {
  const parser = createJsonlParser();
  const out: JsonlRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
  out.push(...parser.end());
  return out;
}

const summary = (records: JsonlRecord[]) =>
  records.map((r) =>
    r.kind === 'object' ? { line: r.line, value: r.value } : { line: r.line, code: r.code },
  );

describe('createJsonlParser', () => {
  it('reads one object a line with line numbers, LF or CRLF, with or without a final line ending', () => {
    const text = '\uFEFF{"event_id":"E1"}\r\n{"event_id":"E2"}\n{"event_id":"E3"}';
    for (const size of [1, 4, text.length]) {
      expect(summary(parseAll(text, size))).toEqual([
        { line: 1, value: { event_id: 'E1' } },
        { line: 2, value: { event_id: 'E2' } },
        { line: 3, value: { event_id: 'E3' } },
      ]);
    }
  });

  it('turns an empty line, invalid JSON and a non-object into invalid records, and goes on', () => {
    const records = parseAll('{"a":1}\n\n{"a":\n[1,2]\nnull\n{"a":2}\n');
    expect(summary(records)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, code: 'jsonl.empty_line' },
      { line: 3, code: 'jsonl.invalid_json' },
      { line: 4, code: 'jsonl.not_object' },
      { line: 5, code: 'jsonl.not_object' },
      { line: 6, value: { a: 2 } },
    ]);
    expect(records[3]).toMatchObject({ reason: 'the line holds an array, not a JSON object', raw: '[1,2]' });
  });

  it('never echoes a card number from a JSON error', () => {
    const [record] = parseAll('{"card":6217001234567890123 oops}\n');
    expect(record?.kind).toBe('invalid');
    if (record?.kind === 'invalid') expect(record.reason).not.toContain('6217001234567890123');
  });
});

describe('readJsonl', () => {
  it('reads a stream of chunks', async () => {
    async function* source() {
      yield '{"x":';
      yield '1}\n{"x":2}\n';
    }
    const all: JsonlRecord[] = [];
    for await (const batch of readJsonl(source())) all.push(...batch);
    expect(summary(all)).toEqual([
      { line: 1, value: { x: 1 } },
      { line: 2, value: { x: 2 } },
    ]);
  });
});

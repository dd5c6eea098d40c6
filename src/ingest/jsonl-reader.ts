import { maskText } from '../core/mask.js';

/** One line of a JSON Lines file: a JSON object, or a line that is not one (with why). */
export type JsonlRecord =
  | {
      readonly kind: 'object';
      /** Physical line number, 1-based. */
      readonly line: number;
      readonly value: Readonly<Record<string, unknown>>;
      readonly raw: string;
    }
  | {
      readonly kind: 'invalid';
      readonly line: number;
      readonly code: 'jsonl.empty_line' | 'jsonl.invalid_json' | 'jsonl.not_object';
      readonly reason: string;
      readonly raw: string;
    };

/** A push parser for JSON Lines: feed it decoded text, collect the lines completed so far. */
export interface JsonlParser {
  push(chunk: string): JsonlRecord[];
  end(): JsonlRecord[];
}

const BOM = '\uFEFF';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function parseLine(text: string, line: number): JsonlRecord {
  if (text.trim().length === 0) {
    return {
      kind: 'invalid',
      line,
      code: 'jsonl.empty_line',
      reason: 'the line is empty; each line must hold one JSON object',
      raw: text,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse messages can quote the text, which may hold a card number: mask it.
    const detail = error instanceof Error ? maskText(error.message) : 'syntax error';
    return {
      kind: 'invalid',
      line,
      code: 'jsonl.invalid_json',
      reason: `not valid JSON: ${detail}`,
      raw: text,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      kind: 'invalid',
      line,
      code: 'jsonl.not_object',
      reason: `the line holds ${describe(value)}, not a JSON object`,
      raw: text,
    };
  }
  return { kind: 'object', line, value: value as Record<string, unknown>, raw: text };
}

/**
 * Creates a JSON Lines push parser. LF and CRLF line endings; a final line without a line ending counts; the end
 * of the file after a final line ending is not an empty line.
 * @example
 * const parser = createJsonlParser();
 * parser.push('{"event_id":"E1"}\n\nnot json\n'); // object on line 1, empty line 2, invalid JSON on line 3
 */
export function createJsonlParser(): JsonlParser {
  let buf = '';
  let line = 1;
  let started = false;

  function drain(final: boolean): JsonlRecord[] {
    const out: JsonlRecord[] = [];
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf('\n', pos);
      if (nl === -1) break;
      const end = nl > pos && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      out.push(parseLine(buf.slice(pos, end), line++));
      pos = nl + 1;
    }
    buf = buf.slice(pos);
    if (final && buf.length > 0) {
      const text = buf.endsWith('\r') ? buf.slice(0, -1) : buf;
      if (text.length > 0) out.push(parseLine(text, line++));
      buf = '';
    }
    return out;
  }

  return {
    push(chunk) {
      if (!started && chunk.length > 0) {
        started = true;
        if (chunk.startsWith(BOM)) chunk = chunk.slice(1);
      }
      buf += chunk;
      return drain(false);
    },
    end: () => drain(true),
  };
}

/**
 * Reads JSON Lines from a stream of decoded text, in batches as the chunks arrive.
 * @example
 * for await (const batch of readJsonl(decodeText(createReadStream('card_events.jsonl')).text)) {
 *   for (const record of batch) if (record.kind === 'object') handle(record.value);
 * }
 */
export async function* readJsonl(source: AsyncIterable<string>): AsyncGenerator<JsonlRecord[]> {
  const parser = createJsonlParser();
  for await (const chunk of source) {
    const records = parser.push(chunk);
    if (records.length > 0) yield records;
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

import { TextDecoder } from 'node:util';

/**
 * A streaming RFC 4180 CSV parser built for the ingest hot path.
 *
 * Lines without a quote take a fast path (`indexOf` + `split`); only records that contain a quote are scanned
 * field by field. Fields are slices of the decoded chunk, never built a character at a time.
 *
 * An unbalanced quote must not swallow the rest of a file: a record that spans line breaks and comes out with
 * the wrong number of fields, a quote inside an unquoted field, text after a closing quote, or a quoted field that
 * runs past `maxRecordChars` or the end of the file are reported as one malformed line (the record's first
 * physical line), and parsing resumes at the next physical line.
 */

/** One record of a CSV file: a row of fields, or a physical line that could not be parsed. */
export type CsvRecord =
  | {
      readonly kind: 'row';
      /** Physical line number (1-based) of the record's first line. */
      readonly line: number;
      /** Physical line number of the record's last line (greater than `line` when a quoted field holds newlines). */
      readonly endLine: number;
      readonly fields: string[];
      /** The record's text as found in the file, without its line ending. */
      readonly raw: string;
    }
  | {
      readonly kind: 'malformed';
      readonly line: number;
      readonly endLine: number;
      readonly reason: string;
      /** The text of the one physical line reported. */
      readonly raw: string;
    };

export interface CsvParserOptions {
  /**
   * The number of fields every record must have. By default the first record (the header) sets it; a record with
   * a different count is reported as malformed.
   */
  readonly expectedFields?: number;
  /** A quoted field still open after this many characters is taken to be an unbalanced quote. Default 1 MiB. */
  readonly maxRecordChars?: number;
}

/** A push parser: feed it decoded text, collect the records completed so far. */
export interface CsvParser {
  /** Parses what `chunk` completes; returns the complete records (possibly none). */
  push(chunk: string): CsvRecord[];
  /** Flushes the last record at the end of the input. */
  end(): CsvRecord[];
  /** Physical lines fully consumed so far. */
  readonly linesConsumed: number;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const BOM = '\uFEFF';
const DEFAULT_MAX_RECORD_CHARS = 1 << 20;

type SlowResult =
  | { readonly status: 'need-more' }
  | { readonly status: 'ok'; readonly fields: string[]; readonly end: number; readonly newlines: number }
  | { readonly status: 'bad'; readonly reason: string };

const NEED_MORE: SlowResult = { status: 'need-more' };

/**
 * Creates a push CSV parser.
 * @example
 * const parser = createCsvParser();
 * parser.push('id,name\n1,"Wang, Xiu"\n'); // [{ kind: 'row', line: 1, … }, { kind: 'row', line: 2, fields: ['1', 'Wang, Xiu'] … }]
 * parser.end();
 */
export function createCsvParser(options: CsvParserOptions = {}): CsvParser {
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  let expected = options.expectedFields ?? -1;
  let buf = '';
  let pos = 0;
  let line = 1;
  let started = false;

  function malformed(out: CsvRecord[], start: number, reason: string): void {
    // Report the record's first physical line only, and resume at the next one.
    const nl = buf.indexOf('\n', start);
    const stop = nl === -1 ? buf.length : nl;
    const end = stop > start && buf.charCodeAt(stop - 1) === CR ? stop - 1 : stop;
    out.push({ kind: 'malformed', line, endLine: line, reason, raw: buf.slice(start, end) });
    pos = nl === -1 ? buf.length : nl + 1;
    line++;
  }

  function drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const len = buf.length;
    let quoteAt = buf.indexOf('"', pos);
    while (pos < len) {
      const nl = buf.indexOf('\n', pos);
      if (quoteAt !== -1 && quoteAt < pos) quoteAt = buf.indexOf('"', pos);
      if (quoteAt === -1 || (nl !== -1 && quoteAt > nl)) {
        // Fast path: a whole line without a quote.
        if (nl === -1 && !final) break;
        const stop = nl === -1 ? len : nl;
        const end = stop > pos && buf.charCodeAt(stop - 1) === CR ? stop - 1 : stop;
        if (end > pos) {
          const raw = buf.slice(pos, end);
          const fields = raw.split(',');
          if (expected === -1) expected = fields.length;
          if (fields.length === expected) {
            out.push({ kind: 'row', line, endLine: line, fields, raw });
          } else {
            out.push({
              kind: 'malformed',
              line,
              endLine: line,
              reason: countReason(fields.length, expected),
              raw,
            });
          }
        }
        line++;
        pos = nl === -1 ? len : nl + 1;
        continue;
      }
      const start = pos;
      const result = parseQuotedRecord(buf, start, final);
      if (result.status === 'need-more') {
        if (len - start <= maxRecordChars) break;
        malformed(
          out,
          start,
          `unbalanced quote: a quoted field that starts on this line is still open after ${maxRecordChars} characters`,
        );
        continue;
      }
      if (result.status === 'bad') {
        malformed(out, start, result.reason);
        continue;
      }
      if (expected === -1) expected = result.fields.length;
      if (result.fields.length !== expected) {
        if (result.newlines > 0) {
          malformed(
            out,
            start,
            `unbalanced quote: a quoted field runs across ${result.newlines + 1} lines and gives ${result.fields.length} fields; the header has ${expected}`,
          );
          continue;
        }
        out.push({
          kind: 'malformed',
          line,
          endLine: line,
          reason: countReason(result.fields.length, expected),
          raw: trimLineEnd(buf, start, result.end),
        });
      } else {
        out.push({
          kind: 'row',
          line,
          endLine: line + result.newlines,
          fields: result.fields,
          raw: trimLineEnd(buf, start, result.end),
        });
      }
      line += result.newlines + 1;
      pos = result.end;
    }
    return out;
  }

  return {
    push(chunk) {
      if (!started && chunk.length > 0) {
        started = true;
        if (chunk.startsWith(BOM)) chunk = chunk.slice(1);
      }
      buf = pos < buf.length ? buf.slice(pos) + chunk : chunk;
      pos = 0;
      return drain(false);
    },
    end() {
      const out = drain(true);
      buf = '';
      pos = 0;
      return out;
    },
    get linesConsumed() {
      return line - 1;
    },
  };
}

function countReason(actual: number, expected: number): string {
  return `has ${actual} field${actual === 1 ? '' : 's'}; the header has ${expected}`;
}

function trimLineEnd(buf: string, start: number, end: number): string {
  let stop = end;
  if (stop > start && buf.charCodeAt(stop - 1) === LF) stop--;
  if (stop > start && buf.charCodeAt(stop - 1) === CR) stop--;
  return buf.slice(start, stop);
}

function countNewlines(buf: string, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf('\n', from); i !== -1 && i < to; i = buf.indexOf('\n', i + 1)) n++;
  return n;
}

/** Parses one record that contains a quote, field by field. `end` is the index after its line ending. */
function parseQuotedRecord(buf: string, start: number, final: boolean): SlowResult {
  const len = buf.length;
  const fields: string[] = [];
  let newlines = 0;
  let i = start;
  for (;;) {
    if (i >= len) {
      // Only reached just after a comma: the record's last field is empty.
      if (!final) return NEED_MORE;
      fields.push('');
      return { status: 'ok', fields, end: len, newlines };
    }
    if (buf.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      let value = '';
      for (;;) {
        const k = buf.indexOf('"', j);
        if (k === -1) {
          if (!final) return NEED_MORE;
          return {
            status: 'bad',
            reason: 'unbalanced quote: a quoted field is not closed before the end of the file',
          };
        }
        if (k + 1 >= len && !final) return NEED_MORE;
        if (buf.charCodeAt(k + 1) === QUOTE) {
          value += buf.slice(j, k + 1);
          j = k + 2;
          continue;
        }
        value += buf.slice(j, k);
        newlines += countNewlines(buf, i + 1, k);
        i = k + 1;
        break;
      }
      fields.push(value);
      if (i >= len) {
        if (!final) return NEED_MORE;
        return { status: 'ok', fields, end: len, newlines };
      }
      const next = buf.charCodeAt(i);
      if (next === COMMA) {
        i++;
        continue;
      }
      if (next === LF) return { status: 'ok', fields, end: i + 1, newlines };
      if (next === CR) {
        if (i + 1 >= len) {
          if (!final) return NEED_MORE;
          return { status: 'ok', fields, end: len, newlines };
        }
        if (buf.charCodeAt(i + 1) === LF) return { status: 'ok', fields, end: i + 2, newlines };
      }
      return { status: 'bad', reason: 'unbalanced quote: text follows a closing quote in the same field' };
    }
    let j = i;
    for (; j < len; j++) {
      const c = buf.charCodeAt(j);
      if (c === COMMA || c === LF) break;
      if (c === QUOTE) return { status: 'bad', reason: 'unbalanced quote: a quote inside an unquoted field' };
    }
    if (j >= len && !final) return NEED_MORE;
    const stop = j > i && buf.charCodeAt(j - 1) === CR && (j >= len || buf.charCodeAt(j) === LF) ? j - 1 : j;
    fields.push(buf.slice(i, stop));
    if (j >= len) return { status: 'ok', fields, end: len, newlines };
    if (buf.charCodeAt(j) === LF) return { status: 'ok', fields, end: j + 1, newlines };
    i = j + 1;
  }
}

/**
 * Reads CSV records from a stream of decoded text (or UTF-8 bytes), in batches as the chunks arrive, so the file
 * is never held whole in memory.
 * @example
 * for await (const batch of readCsv(createReadStream('payments.csv'))) {
 *   for (const record of batch) if (record.kind === 'row') console.log(record.line, record.fields);
 * }
 */
export async function* readCsv(
  source: AsyncIterable<string | Uint8Array>,
  options: CsvParserOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const parser = createCsvParser(options);
  let decoder: TextDecoder | undefined;
  for await (const chunk of source) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      decoder ??= new TextDecoder('utf-8');
      text = decoder.decode(chunk, { stream: true });
    }
    const records = parser.push(text);
    if (records.length > 0) yield records;
  }
  if (decoder) {
    const rest = decoder.decode();
    if (rest.length > 0) {
      const records = parser.push(rest);
      if (records.length > 0) yield records;
    }
  }
  const last = parser.end();
  if (last.length > 0) yield last;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CsvRecord, createCsvParser, readCsv } from './csv-reader.js';

function parseAll(text: string, chunkSize = text.length || 1, options = {}): CsvRecord[] {
  const parser = createCsvParser(options);
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...parser.push(text.slice(i, i + chunkSize)));
  out.push(...parser.end());
  return out;
}

const rows = (records: CsvRecord[]) =>
  records.map((r) =>
    r.kind === 'row' ? { line: r.line, fields: r.fields } : { line: r.line, bad: r.reason },
  );

/** RFC 4180 writer: quotes a field when it holds a quote, comma, CR or LF (and a lone empty field). */
function toCsv(table: string[][], eol: string): string {
  return table
    .map((row) =>
      row
        .map((field) =>
          /[",\r\n]/.test(field) || (row.length === 1 && field === '')
            ? `"${field.replace(/"/g, '""')}"`
            : field,
        )
        .join(','),
    )
    .join(eol);
}

describe('createCsvParser', () => {
  it('parses plain rows with line numbers, CRLF or LF, and a final line without a line ending', () => {
    expect(rows(parseAll('a,b\r\n1,2\n3,4'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('drops a leading BOM and skips empty lines, still counting them', () => {
    expect(rows(parseAll('\uFEFFid,name\n\n1,x\n\n'))).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 3, fields: ['1', 'x'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and newlines, keeping physical line numbers', () => {
    const text =
      'id,address,note\n1,"Lane 3, Room 2","say ""hi"""\n2,"line one\nline two\r\nline three",x\n3,plain,""\n';
    const records = parseAll(text);
    expect(rows(records)).toEqual([
      { line: 1, fields: ['id', 'address', 'note'] },
      { line: 2, fields: ['1', 'Lane 3, Room 2', 'say "hi"'] },
      { line: 3, fields: ['2', 'line one\nline two\r\nline three', 'x'] },
      { line: 6, fields: ['3', 'plain', ''] },
    ]);
    const multi = records[2]!;
    expect(multi.endLine).toBe(5);
    expect(multi.raw).toBe('2,"line one\nline two\r\nline three",x');
  });

  it('reports a row with the wrong number of fields, with both counts', () => {
    expect(rows(parseAll('a,b,c\n1,2\n1,2,3\n'))).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, bad: 'has 2 fields; the header has 3' },
      { line: 3, fields: ['1', '2', '3'] },
    ]);
  });

  it('an unbalanced quote in the middle reports that one line and resumes at the next', () => {
    const text = ['id,name,amount', '1,"Wang,10', '2,Li,20', '3,"Zhao",30', '4,Sun,40', ''].join('\n');
    const records = parseAll(text);
    expect(rows(records)).toEqual([
      { line: 1, fields: ['id', 'name', 'amount'] },
      { line: 2, bad: expect.stringContaining('unbalanced quote') },
      { line: 3, fields: ['2', 'Li', '20'] },
      { line: 4, fields: ['3', 'Zhao', '30'] },
      { line: 5, fields: ['4', 'Sun', '40'] },
    ]);
    expect(records[1]!.raw).toBe('1,"Wang,10');
  });

  it('an unbalanced quote that would swallow several lines is caught by the field count', () => {
    const text = 'id,name\n1,"Wang\n2,Li\n3,"Zhao"\n';
    // The open quote on line 2 closes on line 4, where text follows the closing quote.
    expect(rows(parseAll(text))).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, bad: expect.stringContaining('unbalanced quote') },
      { line: 3, fields: ['2', 'Li'] },
      { line: 4, fields: ['3', 'Zhao'] },
    ]);
    const swallowing = 'a,b,c\n1,"x,9\n2,y,8\n3,z"\n4,w,6\n';
    const records = rows(parseAll(swallowing));
    expect(records[1]).toEqual({
      line: 2,
      bad: expect.stringMatching(/runs across 3 lines and gives 2 fields; the header has 3/),
    });
    expect(records.slice(2)).toEqual([
      { line: 3, fields: ['2', 'y', '8'] },
      { line: 4, bad: expect.stringContaining('quote inside an unquoted field') },
      { line: 5, fields: ['4', 'w', '6'] },
    ]);
  });

  it('reports a quote inside an unquoted field and text after a closing quote', () => {
    expect(rows(parseAll('a,b\n1,ab"c\n2,"x"y\n3,ok\n'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, bad: 'unbalanced quote: a quote inside an unquoted field' },
      { line: 3, bad: 'unbalanced quote: text follows a closing quote in the same field' },
      { line: 4, fields: ['3', 'ok'] },
    ]);
  });

  it('a quote still open at the end of the file reports its line, and the lines after it are read', () => {
    expect(rows(parseAll('a,b\n1,"x\n2,y'))).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, bad: 'unbalanced quote: a quoted field is not closed before the end of the file' },
      { line: 3, fields: ['2', 'y'] },
    ]);
  });

  it('gives up on a quoted field longer than maxRecordChars without reading the whole file', () => {
    const body = Array.from({ length: 200 }, (_, i) => `${i},v${i}`).join('\n');
    const parser = createCsvParser({ maxRecordChars: 100 });
    const out = [...parser.push('a,b\n1,"open\n'), ...parser.push(`${body}\n`)];
    expect(out[1]).toMatchObject({ kind: 'malformed', line: 2 });
    expect(out.filter((r) => r.kind === 'row').length).toBeGreaterThan(150);
    out.push(...parser.end());
    expect(out.filter((r) => r.kind === 'row').length).toBe(201);
  });

  it('gives the same records whatever the chunk size', () => {
    const text =
      'id,name,note\r\n1,"a,b","x\r\ny"\r\n2,plain,"q""q"\r\n3,"bad,1\r\n4,"",\r\n5,a,b,c\r\n6,last,"end"';
    const whole = parseAll(text);
    for (let size = 1; size <= 8; size++) expect(parseAll(text, size)).toEqual(whole);
  });

  it('round-trips any table written with RFC 4180 quoting, in any chunking', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', 'é', '王', ',', '"', '\n', '\r', ' ', 'x'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((width) =>
          fc.array(fc.array(field, { minLength: width, maxLength: width }), {
            minLength: 1,
            maxLength: 12,
          }),
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.integer({ min: 1, max: 40 }),
        (table, eol, chunkSize) => {
          const records = parseAll(toCsv(table, eol), chunkSize);
          expect(records.map((r) => (r.kind === 'row' ? r.fields : r.reason))).toEqual(table);
          // Line numbers follow the newlines the fields hold.
          let line = 1;
          records.forEach((record, i) => {
            expect(record.line).toBe(line);
            line += 1 + (table[i]!.join('').match(/\n/g)?.length ?? 0);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('readCsv', () => {
  it('reads UTF-8 bytes split inside multi-byte characters', async () => {
    const bytes = Buffer.from('id,name\n1,王秀英\n2,"李,娜"\n', 'utf8');
    async function* tiny() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const all: CsvRecord[] = [];
    for await (const batch of readCsv(tiny())) all.push(...batch);
    expect(rows(all)).toEqual([
      { line: 1, fields: ['id', 'name'] },
      { line: 2, fields: ['1', '王秀英'] },
      { line: 3, fields: ['2', '李,娜'] },
    ]);
  });
});

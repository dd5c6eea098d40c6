import { closeSync, openSync, writeSync } from 'node:fs';
import iconv from 'iconv-lite';

/**
 * A CSV file written as rows are produced (a small buffer, synchronous appends), so that a county of any size is
 * written in bounded memory. Counts physical lines: the header is line 1, the first row line 2, which is how the
 * truth's bad_rows.csv and the ingest's quarantine number them.
 */
export interface CsvOutput {
  readonly path: string;
  /** Writes one row (cells in column order; `undefined` is an empty cell) and returns its line number. */
  row(cells: readonly (string | undefined)[]): number;
  /** Writes a line as it is (no quoting), for deliberately malformed lines; returns its line number. */
  raw(line: string): number;
  /** Lines written so far, header included. */
  readonly lines: number;
  readonly bytes: number;
  close(): void;
}

export type TextEncoding = 'utf8' | 'gbk';

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvCell(value: string | undefined): string {
  if (value === undefined) return '';
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(cells: readonly (string | undefined)[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(cells[i]);
  }
  return line;
}

const FLUSH_AT = 1 << 16;

export function createTextOutput(path: string, encoding: TextEncoding = 'utf8') {
  const fd = openSync(path, 'w');
  let buffer = '';
  let bytes = 0;
  const flush = () => {
    if (buffer.length === 0) return;
    const data = encoding === 'gbk' ? iconv.encode(buffer, 'gbk') : Buffer.from(buffer, 'utf8');
    writeSync(fd, data);
    bytes += data.length;
    buffer = '';
  };
  return {
    write(text: string): void {
      buffer += text;
      if (buffer.length >= FLUSH_AT) flush();
    },
    get bytes() {
      return bytes + Buffer.byteLength(buffer);
    },
    close(): void {
      flush();
      closeSync(fd);
    },
  };
}

export function createCsvOutput(
  path: string,
  columns: readonly string[],
  encoding: TextEncoding = 'utf8',
): CsvOutput {
  const out = createTextOutput(path, encoding);
  let lines = 0;
  const put = (line: string): number => {
    out.write(`${line}\r\n`);
    lines++;
    return lines;
  };
  put(csvLine(columns));
  return {
    path,
    row: (cells) => put(csvLine(cells)),
    raw: (line) => put(line),
    get lines() {
      return lines;
    },
    get bytes() {
      return out.bytes;
    },
    close: () => out.close(),
  };
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fail, ok, type Result } from '../core/result.js';
import type { Row } from './config.js';

/**
 * Splits one CSV line (RFC 4180 quotes, "" inside quotes); returns undefined when a quote is still open.
 * Cells are trimmed: FEBRL writes a space after each comma.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      cell = '';
      quoted = true;
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  if (quoted) return undefined;
  cells.push(cell.trim());
  return cells;
}

/**
 * Reads a CSV file with a header into rows (column → trimmed cell; empty cells absent), streaming line by line.
 * `rename` maps file columns to the names the config uses.
 * @example const rows = await readCsvRows('dataset4a.csv'); if (rows.ok) rows.value.rows.length;
 */
export async function readCsvRows(
  path: string,
  rename: Readonly<Record<string, string>> = {},
): Promise<Result<{ readonly columns: readonly string[]; readonly rows: Row[] }>> {
  let lineNumber = 0;
  let header: string[] | undefined;
  const rows: Row[] = [];
  let pending = '';
  try {
    const lines = createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const raw of lines) {
      lineNumber++;
      const line = pending === '' ? raw : `${pending}\n${raw}`;
      const cells = splitCsvLine(lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line);
      if (cells === undefined) {
        pending = line;
        continue;
      }
      pending = '';
      if (header === undefined) {
        header = cells.map((c) => rename[c] ?? c);
        continue;
      }
      if (cells.length === 1 && cells[0] === '') continue;
      if (cells.length !== header.length) {
        return fail(
          'csv.columns',
          `${path}, line ${lineNumber}: ${cells.length} cells but the header has ${header.length}; check quoting`,
        );
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) {
        const v = cells[i]!;
        if (v !== '') row[header[i]!] = v;
      }
      rows.push(row);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('csv.not_found', `${path} does not exist; check the path`);
    throw error;
  }
  if (pending !== '') return fail('csv.quote', `${path}: a quoted cell is never closed`);
  if (header === undefined) return fail('csv.empty', `${path} is empty; it needs a header line`);
  return ok({ columns: header, rows });
}

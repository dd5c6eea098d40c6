import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseYuan } from '../core/money.js';
import { parseTimestamp } from '../core/time.js';

/** A simulator's ground truth, as read back from `<dir>/truth` (see docs/simulator.md). */
export interface TruthBeneficiary {
  readonly beneficiaryId: string;
  readonly dead: boolean;
  readonly deathDate: string | undefined;
  readonly fraudScheme: string;
  readonly fraudSince: string | undefined;
  /** Epoch ms of the first fraudulent withdrawal in card_events.jsonl. */
  readonly firstFraudulentWithdrawal: number | undefined;
  readonly ringCard: string | undefined;
  readonly fraudCard: string | undefined;
  readonly overpaidFen: number;
  readonly paymentsAfterDeath: number;
  /** Loadable death records about this beneficiary in deaths.csv. */
  readonly deathRecords: number;
  readonly card: string | undefined;
  readonly status: string;
}

export interface TruthHandler {
  readonly handlerId: string;
  readonly role: string;
  readonly colluding: boolean;
}

export interface TruthBadRow {
  readonly file: string;
  readonly line: number;
  readonly column: string | undefined;
  readonly defect: string;
}

export interface Truth {
  readonly meta: Readonly<Record<string, unknown>>;
  readonly beneficiaries: ReadonlyMap<string, TruthBeneficiary>;
  readonly handlers: readonly TruthHandler[];
  readonly badRows: readonly TruthBadRow[];
}

/** Splits one CSV line (RFC 4180 quoting; the truth files never break a cell across lines). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.length === 0) quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

/** Streams a CSV file's rows as objects keyed by header (empty cells absent). */
export async function* readCsvRows(path: string): AsyncGenerator<Record<string, string | undefined>> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let header: string[] | undefined;
  for await (const raw of lines) {
    const line = header === undefined ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.length === 0) continue;
    const cells = splitCsvLine(line);
    if (header === undefined) {
      header = cells;
      continue;
    }
    const row: Record<string, string | undefined> = {};
    header.forEach((name, i) => {
      const value = cells[i];
      row[name] = value === undefined || value === '' ? undefined : value;
    });
    yield row;
  }
}

const fen = (text: string | undefined): number => {
  if (text === undefined) return 0;
  const r = parseYuan(text);
  return r.ok ? r.value : 0;
};

/**
 * Reads the truth a simulator wrote (`<dir>/truth/*`, or `dir` itself when it holds the truth files), streaming
 * the CSV files row by row.
 * @example const truth = await readTruth('county/truth')
 */
export async function readTruth(dir: string): Promise<Truth> {
  const base = await readFile(join(dir, 'meta.json'), 'utf8').then(
    () => dir,
    () => join(dir, 'truth'),
  );
  const meta = JSON.parse(await readFile(join(base, 'meta.json'), 'utf8')) as Record<string, unknown>;
  const beneficiaries = new Map<string, TruthBeneficiary>();
  for await (const r of readCsvRows(join(base, 'beneficiaries.csv'))) {
    const id = r.beneficiary_id;
    if (id === undefined) continue;
    const ts =
      r.first_fraudulent_withdrawal !== undefined ? parseTimestamp(r.first_fraudulent_withdrawal) : undefined;
    beneficiaries.set(id, {
      beneficiaryId: id,
      dead: r.dead === 'true',
      deathDate: r.death_date,
      fraudScheme: r.fraud_scheme ?? 'none',
      fraudSince: r.fraud_since,
      firstFraudulentWithdrawal: ts?.ok ? ts.value : undefined,
      ringCard: r.ring_card,
      fraudCard: r.fraud_card,
      overpaidFen: fen(r.overpaid_amount),
      paymentsAfterDeath: Number(r.payments_after_death ?? 0),
      deathRecords: Number(r.death_records ?? 0),
      card: r.card,
      status: r.status ?? 'active',
    });
  }
  const handlers: TruthHandler[] = [];
  for await (const r of readCsvRows(join(base, 'handlers.csv'))) {
    if (r.handler_id === undefined) continue;
    handlers.push({ handlerId: r.handler_id, role: r.role ?? '', colluding: r.colluding === 'true' });
  }
  const badRows: TruthBadRow[] = [];
  for await (const r of readCsvRows(join(base, 'bad_rows.csv'))) {
    if (r.file === undefined) continue;
    badRows.push({ file: r.file, line: Number(r.line), column: r.column, defect: r.defect ?? '' });
  }
  return { meta, beneficiaries, handlers, badRows };
}
